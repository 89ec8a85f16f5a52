package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.product;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
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

    @Override
    public Derivation derive(OpContext ctx) {
        Expr ops = minus(Derive.numel(ctx.input("data").shape()), product(Derive.dims(ctx.output(0).shape(), "_out")));
        return Derivation.of(ctx.node().opType()).line(Quantity.OPS, "ops", ops, "", "n - 1 comparisons per output").build();
    }
}
