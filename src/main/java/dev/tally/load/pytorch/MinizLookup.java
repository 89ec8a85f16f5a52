package dev.tally.load.pytorch;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Which entry PyTorch's zip reader opens for a name, duplicates included. PyTorch's {@code PyTorchStreamReader}
 * calls miniz's {@code mz_zip_reader_locate_file} with no flags, which sorts the directory indices once by name
 * (a heap sort, ASCII case folded) and then binary-searches them: with two entries of one name, the one found is
 * whichever the search meets first, not simply the first or the last. This repeats both steps exactly
 * ({@code mz_zip_reader_sort_central_dir_offsets_by_filename} and {@code mz_zip_locate_file_binary_search} of
 * miniz 2.x).
 */
final class MinizLookup {
    private MinizLookup() {
    }

    /** The directory index miniz returns for {@code name}, or -1. */
    static int locate(List<String> directory, String name) {
        byte[][] names = new byte[directory.size()][];
        for (int i = 0; i < names.length; i++) {
            names[i] = directory.get(i).getBytes(StandardCharsets.UTF_8);
        }
        int size = names.length;
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = i;
        }
        for (int start = (size - 2) >> 1; start >= 0; start--) {
            siftDown(names, indices, start, size);
        }
        for (int end = size - 1; end > 0; end--) {
            swap(indices, end, 0);
            siftDown(names, indices, 0, end);
        }
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int middle = low + ((high - low) >> 1);
            int index = indices[middle];
            int comparison = compare(names[index], wanted);
            if (comparison == 0) {
                return index;
            } else if (comparison < 0) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return -1;
    }

    private static void siftDown(byte[][] names, int[] indices, int root, int end) {
        for (;;) {
            int child = (root << 1) + 1;
            if (child >= end) {
                break;
            }
            if (child + 1 < end && less(names[indices[child]], names[indices[child + 1]])) {
                child++;
            }
            if (!less(names[indices[root]], names[indices[child]])) {
                break;
            }
            swap(indices, root, child);
            root = child;
        }
    }

    private static void swap(int[] indices, int a, int b) {
        int t = indices[a];
        indices[a] = indices[b];
        indices[b] = t;
    }

    /** {@code mz_zip_reader_filename_less}: case-folded bytes, then the shorter name first. */
    private static boolean less(byte[] left, byte[] right) {
        int n = Math.min(left.length, right.length);
        for (int i = 0; i < n; i++) {
            int l = lower(left[i]);
            int r = lower(right[i]);
            if (l != r) {
                return l < r;
            }
        }
        return left.length < right.length;
    }

    /** {@code mz_zip_filename_compare}. */
    private static int compare(byte[] left, byte[] right) {
        int n = Math.min(left.length, right.length);
        for (int i = 0; i < n; i++) {
            int l = lower(left[i]);
            int r = lower(right[i]);
            if (l != r) {
                return l - r;
            }
        }
        return left.length - right.length;
    }

    private static int lower(byte b) {
        int c = b & 0xff;
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
