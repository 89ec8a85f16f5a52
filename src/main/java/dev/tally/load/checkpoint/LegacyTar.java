package dev.tally.load.checkpoint;

import dev.tally.ir.ModelException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.save's oldest format, which {@code torch.load} still tries first on any file that is not a zip: a tar
 * with {@code storages} (a count, then per storage an argument pickle and its raw bytes, then a views pickle),
 * {@code tensors} (a count, then per tensor an argument pickle and fixed-size fields) and {@code pickle} (the
 * object). Every pickle is audited in the order {@code torch/serialization.py}'s {@code legacy_load} runs them.
 */
final class LegacyTar {
    /** Reads one pickle of a record, keeping its findings. */
    interface Pickles {
        /** @param integerIds whether integer persistent ids (the tar format's storage keys) are plain references */
        Object read(String file, String record, InputStream in, boolean integerIds);
    }

    private LegacyTar() {
    }

    /** A first 512-byte block with a valid tar header checksum, as Python's tarfile checks. */
    static boolean isTar(Path path) {
        byte[] header = new byte[512];
        try (InputStream in = Files.newInputStream(path)) {
            if (in.readNBytes(header, 0, 512) < 512) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        long stored = octal(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        return stored == sum && header[0] != 0;
    }

    static Checkpoint read(Path path, Pickles pickles) {
        String file = path.getFileName().toString();
        byte[] bytes;
        try {
            if (Files.size(path) > dev.tally.load.Limits.recordBytes()) {
                throw dev.tally.load.Limits.exceeded(file, "bytes for a tar-format checkpoint", dev.tally.load.Limits.recordBytes(),
                        "tally.limits.recordBytes");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read (" + e.getMessage() + "); check the file.");
        }
        Map<String, byte[]> members = members(file, bytes);
        for (String needed : List.of("storages", "tensors", "pickle")) {
            if (!members.containsKey(needed)) {
                throw new ModelException(file + " is a tar archive without the '" + needed + "' member torch.save's tar format has; the file is damaged or not a checkpoint.");
            }
        }
        InputStream storages = new ByteArrayInputStream(members.get("storages"));
        long count = count(pickles.read(file, "storages", storages, false), file, "storages");
        for (long i = 0; i < count; i++) {
            Object args = pickles.read(file, "storages", storages, false);
            long numel = littleEndian(file, storages, 8);
            int elementSize = args instanceof Object[] tuple && tuple.length == 3 && tuple[2] instanceof dev.tally.load.pytorch.PyGlobal type
                    ? dev.tally.load.pytorch.SafeGlobals.storageDType(type.name()).map(d -> Math.max(1, d.byteSize())).orElse(1) : 1;
            // Skipping past the end is damage that the next read finds.
            skip(storages, numel < 0 || numel > Long.MAX_VALUE / 16 ? Long.MAX_VALUE : numel * elementSize);
        }
        pickles.read(file, "storages", storages, false);
        InputStream tensors = new ByteArrayInputStream(members.get("tensors"));
        long tensorCount = count(pickles.read(file, "tensors", tensors, false), file, "tensors");
        for (long i = 0; i < tensorCount; i++) {
            pickles.read(file, "tensors", tensors, false);
            long ndim = littleEndian(file, tensors, 4);
            skip(tensors, 4 + 16 * Math.max(0, Math.min(ndim, 1 << 20)) + 8);
        }
        Object root = pickles.read(file, "pickle", new ByteArrayInputStream(members.get("pickle")), true);
        return new Checkpoint(path, "tar", "", root, List.of(), Map.of(), Map.of(),
                List.of("The file is torch.save's oldest (tar) format; its tensors are not inventoried."), List.of(), false);
    }

    private static Map<String, byte[]> members(String file, byte[] bytes) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        int offset = 0;
        while (offset + 512 <= bytes.length && bytes[offset] != 0) {
            String name = new String(bytes, offset, 100, StandardCharsets.UTF_8);
            name = name.indexOf(0) >= 0 ? name.substring(0, name.indexOf(0)) : name;
            long size = octal(bytes, offset + 124, 12);
            if (size < 0 || offset + 512L + size > bytes.length) {
                throw new ModelException(file + ": tar member '" + name + "' runs past the end of the file; the file is damaged or truncated.");
            }
            // tarfile's getmember returns the last member of a name; so does this map.
            members.put(name, java.util.Arrays.copyOfRange(bytes, offset + 512, offset + 512 + (int) size));
            offset += 512 + (int) ((size + 511) / 512 * 512);
        }
        return members;
    }

    private static long count(Object value, String file, String member) {
        if (value instanceof Number number && number.longValue() >= 0) {
            return number.longValue();
        }
        throw new ModelException(file + ": the count at the start of tar member '" + member + "' is not a number; the file is damaged.");
    }

    private static long littleEndian(String file, InputStream in, int width) {
        try {
            byte[] b = in.readNBytes(width);
            if (b.length < width) {
                throw new ModelException(file + " is truncated inside a tar-format storage or tensor; re-save or re-download it.");
            }
            long value = 0;
            for (int i = width - 1; i >= 0; i--) {
                value = (value << 8) | (b[i] & 0xff);
            }
            return value;
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read (" + e.getMessage() + "); check the file.");
        }
    }

    private static void skip(InputStream in, long bytes) {
        try {
            in.skipNBytes(Math.max(0, Math.min(bytes, in.available())));
        } catch (IOException e) {
            // A ByteArrayInputStream does not fail to skip within what is available.
        }
    }

    private static long octal(byte[] bytes, int offset, int length) {
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            int c = bytes[i] & 0xff;
            if (c >= '0' && c <= '7') {
                value = value * 8 + (c - '0');
                digits = true;
            } else if (digits && (c == 0 || c == ' ')) {
                break;
            }
        }
        return digits ? value : -1;
    }
}
