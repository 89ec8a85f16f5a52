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
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX InstanceNormalization: each (n, c) plane of {@code m} spatial elements normalised, then scaled and shifted per
 * channel; Y has X's shape; {@code macs = 0}, {@code ops = N*C * (5m + 2) + 2 * numel(Y)} (docs/conventions.md).
 */
public final class InstanceNormalizationRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "scale", "B");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (x.rank() < 3) {
            throw ctx.fail("input 'input' has rank " + x.rank() + ", expected 3 or more (N x C x spatial)");
        }
        for (String name : List.of("scale", "B")) {
            Shape s = ctx.input(name).shape();
            if (s.rank() != 1 || s.dim(0) != x.shape().dim(1)) {
                throw ctx.fail("input '" + name + "' has shape " + s + ", expected " + x.shape().dim(1));
            }
        }
        return List.of(x.withShape(x.shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        Shape x = ctx.input("input").shape();
        long rows = Math.multiplyExact(x.dim(0), x.dim(1));
        long m = rows == 0 ? 0 : x.numel() / rows;
        return Cost.ops(Normalization.ops(rows, m, Math.multiplyExact(2, x.numel())));
    }

    /** {@code params = 2 x C}; {@code ops = N x C x (5 x m + 2) + 2 x numel(Y)}, m the elements of a plane. */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("input").shape();
        long rows = Math.multiplyExact(x.dim(0), x.dim(1));
        Expr m = term("m", rows == 0 ? 0 : x.numel() / rows);
        Expr ops = plus(times(term("N", x.dim(0)), term("C", x.dim(1)), plus(times(num(5), m), num(2))),
                times(num(2), Derive.numel(x)));
        return Derivation.of("InstanceNormalization")
                .line(Quantity.PARAMS, "params", times(num(2), term("C", x.dim(1))), "", "scale and shift")
                .line(Quantity.OPS, "ops", ops, "", "per plane mean, variance, normalise; then scale and shift").build();
    }
}
