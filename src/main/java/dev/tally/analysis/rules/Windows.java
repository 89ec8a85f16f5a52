package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import java.util.List;

/**
 * Window geometry of Conv, ConvTranspose, MaxPool and AveragePool: kernel, strides, dilations and pads per
 * spatial axis, ONNX {@code auto_pad} resolved into explicit pads, and the one output-size formula
 * {@code floor/ceil((H + pb + pe - d*(k-1) - 1)/s) + 1} with PyTorch's ceil-mode rule. One loop over the
 * spatial axes serves 1-D, 2-D and 3-D alike.
 */
final class Windows {
    private Windows() {
    }

    /** Resolved geometry; every array has one entry per spatial axis. */
    record Geometry(long[] kernel, long[] strides, long[] dilations, long[] padsBegin, long[] padsEnd, boolean ceilMode) {
        int axes() {
            return kernel.length;
        }

        /** Output size of every spatial axis for spatial input sizes {@code input}. */
        long[] outputSizes(OpContext ctx, long[] input) {
            long[] out = new long[input.length];
            for (int i = 0; i < input.length; i++) {
                out[i] = outputSize(ctx, i, input[i], kernel[i], strides[i], dilations[i], padsBegin[i], padsEnd[i], ceilMode);
            }
            return out;
        }
    }

    /**
     * Reads {@code strides}, {@code dilations}, {@code pads}, {@code auto_pad} and {@code ceil_mode} for a window of
     * size {@code kernel} over spatial sizes {@code input}. Pads are ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end].
     */
    static Geometry resolve(OpContext ctx, long[] input, long[] kernel) {
        int n = kernel.length;
        long[] strides = perAxis(ctx, "strides", n, 1);
        long[] dilations = perAxis(ctx, "dilations", n, 1);
        long[] begin = new long[n];
        long[] end = new long[n];
        String autoPad = ctx.attrString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                List<Long> pads = ctx.attrLongs("pads", List.of());
                if (!pads.isEmpty() && pads.size() != 2 * n) {
                    throw ctx.fail("attribute 'pads' has " + pads.size() + " values, expected " + 2 * n
                            + " (begin and end of each of " + n + " spatial axes)");
                }
                for (int i = 0; i < n && !pads.isEmpty(); i++) {
                    begin[i] = pads.get(i);
                    end[i] = pads.get(i + n);
                }
            }
            case "VALID" -> {
                // no padding
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    // ONNX: output = ceil(input / stride); the odd pad goes to the end (UPPER) or the begin (LOWER).
                    long out = Math.floorDiv(input[i] + strides[i] - 1, strides[i]);
                    long total = Math.max(0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - input[i]);
                    long small = total / 2;
                    begin[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[i] = total - begin[i];
                }
            }
            default -> throw ctx.fail("attribute 'auto_pad' is '" + autoPad
                    + "', expected one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }
        for (int i = 0; i < n; i++) {
            if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1 || begin[i] < 0 || end[i] < 0) {
                throw ctx.fail("spatial axis " + i + " has kernel " + kernel[i] + ", stride " + strides[i] + ", dilation "
                        + dilations[i] + " and pads " + begin[i] + "/" + end[i] + "; kernel, stride and dilation must be"
                        + " positive and pads not negative");
            }
        }
        return new Geometry(kernel, strides, dilations, begin, end, ctx.attrLong("ceil_mode", 0) != 0);
    }

    /**
     * {@code floor((in + pb + pe - d*(k-1) - 1) / s) + 1}; with {@code ceil} the floor is a ceiling and, as in
     * PyTorch's {@code pooling_output_shape}, a last window that would start inside the right padding is dropped.
     */
    static long outputSize(OpContext ctx, int axis, long in, long k, long s, long d, long pb, long pe, boolean ceil) {
        long span = Math.addExact(Math.multiplyExact(d, k - 1), 1);
        long room = Math.addExact(Math.addExact(in, pb), pe) - span;
        if (room < 0) {
            throw ctx.fail("spatial axis " + axis + " has size " + in + " with pads " + pb + "/" + pe
                    + ", smaller than the window of " + span + " (kernel " + k + ", dilation " + d + ")");
        }
        long out = (ceil ? Math.floorDiv(room + s - 1, s) : room / s) + 1;
        if (ceil && (out - 1) * s >= in + pb) {
            out--;
        }
        return out;
    }

    /** A per-axis integer attribute with {@code n} entries, or {@code fallback} on every axis when absent. */
    static long[] perAxis(OpContext ctx, String key, int n, long fallback) {
        List<Long> values = ctx.attrLongs(key, List.of());
        long[] result = new long[n];
        if (values.isEmpty()) {
            java.util.Arrays.fill(result, fallback);
            return result;
        }
        if (values.size() != n) {
            throw ctx.fail("attribute '" + key + "' has " + values.size() + " values, expected " + n
                    + " (one per spatial axis)");
        }
        for (int i = 0; i < n; i++) {
            result[i] = values.get(i);
        }
        return result;
    }

    /** The spatial sizes of an N x C x D1 x ... tensor. */
    static long[] spatial(long[] dims) {
        return java.util.Arrays.copyOfRange(dims, 2, dims.length);
    }
}
