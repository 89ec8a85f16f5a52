package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.Arrays;
import java.util.List;

/** ONNX Shape (with opset 15's {@code start}/{@code end}): the input's dims as a known 1-D int64 tensor; cost 0. */
public final class ShapeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        long[] dims = ctx.input("data").shape().toArray();
        int rank = dims.length;
        long start = clampAxis(ctx.attrLong("start", 0), rank);
        long end = clampAxis(ctx.attrLong("end", rank), rank);
        return List.of(TensorInfo.ints(Arrays.copyOfRange(dims, (int) start, (int) Math.max(start, end))));
    }

    /** Shape's start and end clamp to {@code [0, rank]} after a negative one counts from the end. */
    private static long clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }
}
