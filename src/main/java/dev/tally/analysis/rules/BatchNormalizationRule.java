package dev.tally.analysis.rules;

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
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX BatchNormalization in inference mode: {@code Y = scale * (X - mean) / sqrt(var + eps) + B}, shape of X;
 * {@code macs = 0}, {@code ops = 2 * numel(Y)} (folded into one multiply and one add per element; docs/conventions.md).
 */
public final class BatchNormalizationRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "scale", "B", "input_mean", "input_var");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        if (x.rank() < 2) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected 2 or more (N x C x ...)");
        }
        long channels = x.shape().dim(1);
        for (String name : List.of("scale", "B", "input_mean", "input_var")) {
            TensorInfo t = ctx.input(name);
            if (t.rank() != 1 || t.shape().dim(0) != channels) {
                throw ctx.fail("input '" + name + "' has shape " + t.shape() + ", expected " + channels
                        + " (the channels of 'X')");
            }
        }
        // Training mode adds running_mean and running_var outputs of shape [C].
        TensorInfo perChannel = TensorInfo.of(ctx.input("input_mean").dtype(), Shape.of(channels));
        return List.of(x.withShape(x.shape()), perChannel, perChannel);
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(Math.multiplyExact(2, ctx.output(0).numel()));
    }

    /** {@code params = 2 x C} (scale, shift), {@code buffers = 2 x C} (running mean, variance), {@code ops = 2 x numel(Y)}. */
    @Override
    public Derivation derive(OpContext ctx) {
        Expr c = term("C", ctx.input("X").shape().dim(1));
        return Derivation.of("BatchNormalization")
                .line(Quantity.PARAMS, "params", times(num(2), c), "", "scale and shift")
                .line(Quantity.BUFFERS, "buffers", times(num(2), c), "", "running mean and variance")
                .line(Quantity.OPS, "ops", times(num(2), Derive.numel(ctx.output(0).shape())), "", "a multiply and an add per element")
                .build();
    }
}
