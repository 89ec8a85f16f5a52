package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX GridSample (X {@code [N, C, D1..Dr]}, grid {@code [N, G1..Gr, r]}; opset 16 for r = 2, opset 20 for any r):
 * {@code Y = [N, C, G1..Gr]}, each output the input sampled at the grid's point. {@code macs = 0}: the aten-level
 * counter of the fixtures counts no MACs for {@code grid_sampler}, as for Resize, and the weights of an interpolation
 * are computed from the point, not multiply-accumulated with a learned weight. Ops are Resize's for the same
 * interpolation over all r axes: {@code numel(Y) * (2t - 1) * (t^r - 1)/(t - 1)} with t = 2 for (bi)linear, 4 for
 * (bi)cubic, 0 for nearest (data movement); bilinear is 9 per output.
 */
public final class GridSampleRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "grid");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        Shape grid = ctx.input("grid").shape();
        int spatial = x.rank() - 2;
        if (spatial < 1) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected at least 3 (N, C and the sampled axes)");
        }
        if (grid.rank() != x.rank() || grid.dim(grid.rank() - 1) != spatial || grid.dim(0) != x.shape().dim(0)) {
            throw ctx.fail("input 'grid' has shape " + grid + ", expected N x G1..G" + spatial + " x " + spatial
                    + " for input 'X' of shape " + x.shape());
        }
        long[] out = new long[x.rank()];
        out[0] = x.shape().dim(0);
        out[1] = x.shape().dim(1);
        for (int a = 0; a < spatial; a++) {
            out[2 + a] = grid.dim(1 + a);
        }
        return List.of(x.withShape(Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long taps = taps(ctx);
        if (taps == 1) {
            return Cost.ZERO;
        }
        int spatial = ctx.input("X").rank() - 2;
        long interpolations = 0;
        long power = 1;
        for (int a = 0; a < spatial; a++) {
            interpolations = Math.addExact(interpolations, power);
            power = Math.multiplyExact(power, taps);
        }
        return Cost.ops(Math.multiplyExact(Math.multiplyExact(ctx.output(0).numel(), 2 * taps - 1), interpolations));
    }

    /** {@code ops = numel(Y) x (2 x t - 1) x (1 + t + ... + t^(r-1))}; nearest {@code ops = 0}. */
    @Override
    public Derivation derive(OpContext ctx) {
        long taps = taps(ctx);
        Derivation.Builder lines = Derivation.of(ctx.node().opType());
        if (taps == 1) {
            return lines.line(Quantity.OPS, "ops", Expr.num(0), "", "nearest: data movement only").build();
        }
        List<Expr> interpolations = new java.util.ArrayList<>();
        Expr t = Expr.term("t", taps);
        for (int a = 0; a < ctx.input("X").rank() - 2; a++) {
            interpolations.add(a == 0 ? Expr.num(1) : a == 1 ? t : Expr.power(t, Expr.num(a)));
        }
        Expr ops = Expr.times(Derive.numel(ctx.output(0).shape()), Expr.minus(Expr.times(Expr.num(2), t), Expr.num(1)),
                Expr.sum(interpolations));
        return lines.line(Quantity.OPS, "ops", ops, "", "t taps per 1-D interpolation, done separably over the sampled axes").build();
    }

    /** Opset 16 names the modes bilinear, nearest, bicubic; opset 20 linear, nearest, cubic. */
    private static long taps(OpContext ctx) {
        String mode = ctx.attrString("mode", "bilinear");
        return switch (mode) {
            case "nearest" -> 1;
            case "linear", "bilinear" -> 2;
            case "cubic", "bicubic" -> 4;
            default -> throw ctx.fail("attribute 'mode' is '" + mode + "', expected bilinear, nearest or bicubic");
        };
    }
}
