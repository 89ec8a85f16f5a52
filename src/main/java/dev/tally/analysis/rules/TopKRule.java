package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.num;
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
 * ONNX TopK along {@code axis} (K an input since opset 10, attribute {@code k} before): Values and int64 Indices with
 * that axis cut to K; {@code macs = 0}; {@code ops = lines * K(2n - K - 1)/2}, the comparisons of K successive
 * selections of a maximum from a line of n, n - 1 - i for the i-th (docs/conventions.md). A K the graph computes from
 * data is given its bound, the axis size, and the outputs are data-dependent.
 */
public final class TopKRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "K?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        int axis = Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank());
        long k = k(ctx, x.shape().dim(axis));
        if (k < 0 || k > x.shape().dim(axis)) {
            throw ctx.fail("K is " + k + ", expected 0 to " + x.shape().dim(axis) + " (the size of axis " + axis + ")");
        }
        long[] out = x.shape().toArray();
        out[axis] = k;
        TensorInfo values = TensorInfo.of(x.dtype(), Shape.of(out));
        TensorInfo indices = TensorInfo.of(DType.INT64, Shape.of(out));
        return ctx.isBounded() ? List.of(values.asDataDependent(), indices.asDataDependent()) : List.of(values, indices);
    }

    @Override
    public Cost cost(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long n = x.shape().dim(Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank()));
        long lines = n == 0 ? 0 : x.numel() / n;
        long k = k(ctx, n);
        return Cost.ops(Math.multiplyExact(lines, k * (2 * n - k - 1) / 2));
    }

    /** K, or its bound n (the axis size) when the graph computes K from data. */
    private static long k(OpContext ctx, long n) {
        if (!ctx.valueName("K").isEmpty()) {
            if (!ctx.input("K").hasData()) {
                ctx.bound("K is computed from data, so it is at most " + n + ", the size of the axis");
                return n;
            }
            return ctx.inputData("K").longAt(0);
        }
        return ctx.attrLong("k");
    }

    /** {@code ops = R x K x (2 x n - K - 1) / 2}. */
    @Override
    public Derivation derive(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long n = x.shape().dim(Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank()));
        long k = k(ctx, n);
        Expr kt = term("K", k);
        Expr ops = times(term("R", n == 0 ? 0 : x.numel() / n),
                Expr.over(times(kt, minus(minus(times(num(2), term("n", n)), kt), num(1))), num(2)));
        return Derivation.of("TopK").line(Quantity.OPS, "ops", ops, "", "K selections of a maximum from R lines of n").build();
    }
}
