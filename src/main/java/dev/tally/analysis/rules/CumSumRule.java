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
import java.util.List;

/**
 * ONNX CumSum along the scalar input {@code axis} ({@code exclusive}, {@code reverse}): Y has x's shape;
 * {@code macs = 0}, {@code ops = numel(Y) - numel(Y)/n}, n - 1 adds per line of n; values computed when known.
 */
public final class CumSumRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("x", "axis");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("x");
        int axis = Axes.normalize(ctx, ctx.inputData("axis").longAt(0), x.rank());
        if (!Values.known(x, x.shape())) {
            return List.of(TensorInfo.of(x.dtype(), x.shape()));
        }
        boolean exclusive = ctx.attrLong("exclusive", 0) != 0;
        boolean reverse = ctx.attrLong("reverse", 0) != 0;
        double[] in = Values.doubles(x.data().get());
        double[] out = new double[in.length];
        long n = x.shape().dim(axis);
        long stride = Values.strides(x.shape())[axis];
        for (int start = 0; start < in.length; start++) {
            if ((start / stride) % n != 0) {
                continue;
            }
            double sum = 0;
            for (long j = 0; j < n; j++) {
                int at = (int) (start + (reverse ? n - 1 - j : j) * stride);
                if (exclusive) {
                    out[at] = sum;
                    sum += in[at];
                } else {
                    sum += in[at];
                    out[at] = sum;
                }
            }
        }
        return List.of(Values.of(x.dtype(), x.shape(), out));
    }

    @Override
    public Cost cost(OpContext ctx) {
        TensorInfo x = ctx.input("x");
        long n = x.rank() == 0 ? 1 : x.shape().dim(Axes.normalize(ctx, ctx.inputData("axis").longAt(0), x.rank()));
        return Cost.ops(n == 0 ? 0 : x.numel() - x.numel() / n);
    }

    @Override
    public Derivation derive(OpContext ctx) {
        TensorInfo x = ctx.input("x");
        long n = x.rank() == 0 ? 1 : x.shape().dim(Axes.normalize(ctx, ctx.inputData("axis").longAt(0), x.rank()));
        Expr ops = n == 0 ? num(0) : times(term("R", x.numel() / n), minus(term("n", n), num(1)));
        return Derivation.of("CumSum").line(Quantity.OPS, "ops", ops, "", "R lines of n elements, n - 1 adds each").build();
    }
}
