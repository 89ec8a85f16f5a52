package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.product;
import static dev.tally.analysis.Expr.term;

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
 * ONNX MaxPool (PyTorch {@code max_poolNd}, with {@code ceil_mode}): {@code D' = floor/ceil((D + pb + pe - d*(k-1) - 1)/s) + 1};
 * {@code macs = 0}, {@code ops = numel(Y) * (prod(k) - 1)} comparisons (docs/conventions.md, MaxPool).
 */
public final class MaxPoolRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        Shape y = PoolShapes.windowed(ctx, x.shape()).outputShape();
        // The optional second output holds int64 indices of the maxima.
        return List.of(TensorInfo.of(x.dtype(), y), TensorInfo.of(DType.INT64, y));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long window = 1;
        for (long k : PoolShapes.kernel(ctx, ctx.input("X").rank())) {
            window = Math.multiplyExact(window, k);
        }
        return Cost.ops(Math.multiplyExact(ctx.output(0).numel(), window - 1));
    }

    /** Output sizes, then {@code ops = N x C x (K_h x K_w - 1) x H_out x W_out} (the worksheet's max-pool row). */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        PoolShapes.Windowed windowed = PoolShapes.windowed(ctx, x);
        Derivation.Builder lines = Derivation.of("MaxPool");
        java.util.List<Expr> sizes = Derive.outputSizes(ctx, windowed.geometry(), windowed.input(), lines);
        java.util.List<Expr> ops = new java.util.ArrayList<>(java.util.List.of(term("N", x.dim(0)), term("C", x.dim(1)),
                minus(product(Derive.kernelTerms(windowed.geometry().kernel())), num(1))));
        ops.addAll(sizes);
        return lines.line(Quantity.OPS, "ops", product(ops), "", "comparisons: window - 1 per output").build();
    }
}
