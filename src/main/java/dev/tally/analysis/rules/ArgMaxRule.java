package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;

/**
 * ONNX ArgMax / ArgMin along {@code axis} (default 0, {@code keepdims} default 1): int64 indices; {@code macs = 0},
 * {@code ops = numel(X) - numel(Y)} (n - 1 comparisons per output), like ReduceMax.
 */
public final class ArgMaxRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        int axis = Axes.normalize(ctx, ctx.attrLong("axis", 0), data.rank());
        boolean keep = ctx.attrLong("keepdims", 1) != 0;
        return List.of(TensorInfo.of(DType.INT64, ReduceRule.reducedShape(data.shape(), new int[] {axis}, keep)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.input("data").numel() - ctx.output(0).numel());
    }
}
