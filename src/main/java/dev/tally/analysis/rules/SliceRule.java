package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Slice ({@code starts}, {@code ends}, {@code axes?}, {@code steps?} as inputs since opset 10, as attributes
 * before): per axis, negative bounds count from the end, bounds clamp to {@code [0, dim]} ({@code [-1, dim-1]} for a
 * negative step), size {@code max(0, ceil((end - start) / step))}; values when the data is known; cost 0.
 */
public final class SliceRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "starts?", "ends?", "axes?", "steps?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        Shape shape = data.shape();
        if (fromData(ctx, "starts") || fromData(ctx, "ends")) {
            return List.of(extent(ctx, data));
        }
        long[] starts = bounds(ctx, "starts").orElseThrow(() -> ctx.fail("input 'starts' is missing"));
        long[] ends = bounds(ctx, "ends").orElseThrow(() -> ctx.fail("input 'ends' is missing"));
        long[] axes = bounds(ctx, "axes").orElseGet(() -> range(starts.length));
        long[] steps = ctx.valueName("steps").isEmpty() ? filled(starts.length, 1) : Values.longs(ctx.inputData("steps"));
        if (ends.length != starts.length || axes.length != starts.length || steps.length != starts.length) {
            throw ctx.fail("inputs 'starts', 'ends', 'axes' and 'steps' have " + starts.length + ", " + ends.length + ", "
                    + axes.length + " and " + steps.length + " values, expected the same count");
        }
        long[] out = shape.toArray();
        long[] first = new long[shape.rank()];
        long[] step = filled(shape.rank(), 1);
        for (int i = 0; i < axes.length; i++) {
            int axis = Axes.normalize(ctx, axes[i], shape.rank());
            long dim = out[axis];
            if (steps[i] == 0) {
                throw ctx.fail("input 'steps' holds 0 for axis " + axis + ", expected a non-zero step");
            }
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (steps[i] > 0) {
                start = clamp(start, 0, dim);
                end = clamp(end, 0, dim);
            } else {
                start = clamp(start, 0, dim - 1);
                end = clamp(end, -1, dim - 1);
            }
            long span = end - start;
            out[axis] = steps[i] > 0 ? Math.max(0, Math.floorDiv(span + steps[i] - 1, steps[i]))
                    : Math.max(0, Math.floorDiv(-span - steps[i] - 1, -steps[i]));
            first[axis] = start;
            step[axis] = steps[i];
        }
        Shape result = Shape.of(out);
        if (!Values.known(data, result)) {
            return List.of(TensorInfo.of(data.dtype(), result));
        }
        long[] strides = Values.strides(shape);
        long offset = 0;
        long[] walk = new long[strides.length];
        for (int a = 0; a < strides.length; a++) {
            offset += first[a] * strides[a];
            walk[a] = strides[a] * step[a];
        }
        int[] index = Values.gatherIndex(result, walk);
        for (int e = 0; e < index.length; e++) {
            index[e] += (int) offset;
        }
        return List.of(Values.take(data, result, index));
    }

    /** Whether input {@code name} is given and holds values computed from the data that the shape pass does not know. */
    private static boolean fromData(OpContext ctx, String name) {
        if (ctx.valueName(name).isEmpty()) {
            return false;
        }
        TensorInfo bound = ctx.input(name);
        return !bound.hasData() && (bound.dataDependent() || bound.range().isPresent());
    }

    /**
     * A slice whose start or end is computed from the data (torchvision pastes the part of a mask inside the image): at
     * most the input's extent on each sliced axis ({@code ceil(dim / |step|)}), data-dependent.
     */
    private static TensorInfo extent(OpContext ctx, TensorInfo data) {
        int count = (int) (ctx.valueName("starts").isEmpty() ? ctx.input("ends").numel() : ctx.input("starts").numel());
        long[] axes = bounds(ctx, "axes").orElseGet(() -> range(count));
        long[] steps = ctx.valueName("steps").isEmpty() ? filled(count, 1) : Values.longs(ctx.inputData("steps"));
        if (axes.length != count || steps.length != count) {
            throw ctx.fail("inputs 'starts', 'axes' and 'steps' have " + count + ", " + axes.length + " and " + steps.length
                    + " values, expected the same count");
        }
        long[] out = data.shape().toArray();
        for (int i = 0; i < count; i++) {
            int axis = Axes.normalize(ctx, axes[i], out.length);
            if (steps[i] == 0) {
                throw ctx.fail("input 'steps' holds 0 for axis " + axis + ", expected a non-zero step");
            }
            long step = Math.abs(steps[i]);
            out[axis] = (out[axis] + step - 1) / step;
        }
        ctx.bound("its start or end is computed from the data: at most the input's extent on each sliced axis, "
                + Shape.of(out));
        return TensorInfo.of(data.dtype(), Shape.of(out)).asDataDependent();
    }

    /** An input since opset 10, an attribute before. */
    private static java.util.Optional<long[]> bounds(OpContext ctx, String name) {
        if (!ctx.valueName(name).isEmpty()) {
            return java.util.Optional.of(Values.longs(ctx.inputData(name)));
        }
        return ctx.attrLongs(name).map(list -> list.stream().mapToLong(Long::longValue).toArray());
    }

    private static long clamp(long value, long low, long high) {
        return Math.max(low, Math.min(high, value));
    }

    private static long[] range(int n) {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    private static long[] filled(int n, long value) {
        long[] values = new long[n];
        java.util.Arrays.fill(values, value);
        return values;
    }
}
