package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX LayerNormalization (opset 17; PyTorch {@code layer_norm}) over the axes from {@code axis} (default -1) on:
 * Y has X's shape; with {@code n} elements per normalised row and {@code r} rows, {@code macs = 0},
 * {@code ops = r * (5n + 2) + numel(Y) * (s + b)}: mean (n), subtract (n), square (n), variance (n), add eps and
 * square root (2), divide (n), then scale and bias one each per element when present (docs/conventions.md).
 */
public final class LayerNormalizationRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "Scale?", "B?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        int axis = Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank());
        long[] stats = x.shape().toArray();
        java.util.Arrays.fill(stats, axis, stats.length, 1);
        Shape statsShape = Shape.of(stats);
        DType statsType = x.dtype();
        // Outputs 1 and 2 (Mean, InvStdDev) are optional; exporters rarely ask for them.
        return List.of(x.withShape(x.shape()), TensorInfo.of(statsType, statsShape), TensorInfo.of(statsType, statsShape));
    }

    @Override
    public Cost cost(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        Split split = Split.of(ctx, x);
        return Cost.ops(Normalization.ops(split.rows, split.n, Math.multiplyExact(split.affine, x.numel())));
    }

    /** {@code ops = R x (5 x n + 2) + a x numel(Y)}: R rows of n elements, a = 1 per affine input present. */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        Split split = Split.of(ctx, x);
        long rows = split.rows;
        long n = split.n;
        long affine = split.affine;
        Expr perRow = times(term("R", rows), plus(times(num(5), term("n", n)), num(2)));
        Expr ops = affine == 0 ? perRow : plus(perRow, times(term("a", affine), Derive.numel(x)));
        Derivation.Builder lines = Derivation.of("LayerNormalization");
        if (affine > 0) {
            lines.line(Quantity.PARAMS, "params", times(term("a", affine), term("n", n)), "", "scale and shift of n each");
        }
        return lines.line(Quantity.OPS, "ops", ops, "", "R rows of n elements").build();
    }

    /** X split at {@code axis} into R rows of n normalised elements, and a = how many affine inputs are present. */
    private record Split(long rows, long n, long affine) {
        static Split of(OpContext ctx, Shape x) {
            int axis = Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank());
            long n = 1;
            for (int a = axis; a < x.rank(); a++) {
                n = Math.multiplyExact(n, x.dim(a));
            }
            long affine = (ctx.optionalInput("Scale").isPresent() ? 1 : 0) + (ctx.optionalInput("B").isPresent() ? 1 : 0);
            return new Split(n == 0 ? 0 : x.numel() / n, n, affine);
        }
    }
}
