package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Gather along {@code axis}: {@code Y = data.shape[:axis] + indices.shape + data.shape[axis+1:]}, negative
 * indices counting from the end; values when data and indices are known; cost 0 (data movement).
 */
public final class GatherRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "indices");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        TensorInfo indices = ctx.input("indices");
        if (data.rank() == 0) {
            throw ctx.fail("input 'data' is a scalar, expected rank 1 or more");
        }
        int axis = Axes.normalize(ctx, ctx.attrLong("axis", 0), data.rank());
        List<Long> dims = new ArrayList<>(data.shape().dims().subList(0, axis));
        dims.addAll(indices.shape().dims());
        dims.addAll(data.shape().dims().subList(axis + 1, data.rank()));
        Shape out = new Shape(dims);
        if (!data.hasData() || !indices.hasData() || !Values.small(out)) {
            return List.of(TensorInfo.of(data.dtype(), out));
        }
        long size = data.shape().dim(axis);
        long[] picks = Values.longs(indices.data().get());
        long inner = 1;
        for (int a = axis + 1; a < data.rank(); a++) {
            inner *= data.shape().dim(a);
        }
        long outer = data.numel() / Math.max(1, size * inner);
        int[] index = new int[(int) out.numel()];
        int e = 0;
        for (long o = 0; o < outer; o++) {
            for (long pick : picks) {
                long p = pick < 0 ? pick + size : pick;
                if (p < 0 || p >= size) {
                    throw ctx.fail("input 'indices' holds " + pick + ", out of range for axis " + axis + " of size " + size);
                }
                for (long i = 0; i < inner; i++) {
                    index[e++] = (int) ((o * size + p) * inner + i);
                }
            }
        }
        return List.of(Values.take(data, out, index));
    }
}
