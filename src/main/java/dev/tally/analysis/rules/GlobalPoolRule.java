package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.product;
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
 * ONNX GlobalAveragePool / GlobalMaxPool: {@code Y[N, C, 1, ...]}; average {@code ops = numel(X)} (numel(Y) windows of
 * D1*D2*... elements: adds and a divide), max {@code ops = numel(X) - numel(Y)} comparisons; {@code macs = 0}.
 */
public final class GlobalPoolRule implements OpRule {
    private final boolean average;

    private GlobalPoolRule(boolean average) {
        this.average = average;
    }

    public static GlobalPoolRule average() {
        return new GlobalPoolRule(true);
    }

    public static GlobalPoolRule max() {
        return new GlobalPoolRule(false);
    }

    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        if (x.rank() < 3) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected 3 or more (N x C x spatial)");
        }
        long[] out = x.shape().toArray();
        java.util.Arrays.fill(out, 2, out.length, 1);
        return List.of(x.withShape(Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long in = ctx.input("X").numel();
        return Cost.ops(average ? in : in - ctx.output(0).numel());
    }

    /** Average {@code ops = N x C x H x W}; max {@code ops = N x C x (H x W - 1)}. */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        java.util.List<Expr> dims = Derive.dims(x, "");
        Expr window = product(dims.subList(2, dims.size()));
        Expr ops = average ? product(dims) : times(dims.get(0), dims.get(1), minus(window, num(1)));
        return Derivation.of(average ? "GlobalAveragePool" : "GlobalMaxPool")
                .line(Quantity.OPS, "ops", ops, "", average ? "adds and a divide per output" : "comparisons").build();
    }
}
