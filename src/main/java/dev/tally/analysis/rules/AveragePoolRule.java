package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.product;
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
 * ONNX AveragePool (PyTorch {@code avg_poolNd}, with {@code ceil_mode} and {@code count_include_pad}): output size as
 * MaxPool; {@code macs = 0}, {@code ops = sum over outputs of the elements averaged} (window - 1 adds and one divide),
 * padding counted only with {@code count_include_pad}, windows clipped at the padded border (docs/conventions.md).
 */
public final class AveragePoolRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        return List.of(x.withShape(PoolShapes.windowed(ctx, x.shape()).outputShape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long[] out = PoolShapes.windowed(ctx, ctx.input("X").shape()).outputShape().toArray();
        // Windows are separable: the total is N * C * the product over axes of the per-axis sums of window sizes.
        long total = Math.multiplyExact(out[0], out[1]);
        for (long sum : axisSums(ctx)) {
            total = Math.multiplyExact(total, sum);
        }
        return Cost.ops(total);
    }

    /**
     * Output sizes, then {@code ops = N x C x H_out x K_h x W_out x K_w} when every window is whole; a window clipped by
     * the border makes an axis's factor {@code A_h}, the sum of its window sizes, given as a term.
     */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        PoolShapes.Windowed windowed = PoolShapes.windowed(ctx, x);
        Derivation.Builder lines = Derivation.of("AveragePool");
        java.util.List<Expr> sizes = Derive.outputSizes(ctx, windowed.geometry(), windowed.input(), lines);
        java.util.List<Expr> kernel = Derive.kernelTerms(windowed.geometry().kernel());
        long[] sums = axisSums(ctx);
        String[] axes = Derive.axisNames(sums.length);
        java.util.List<Expr> ops = new java.util.ArrayList<>(java.util.List.of(term("N", x.dim(0)), term("C", x.dim(1))));
        String note = "window - 1 adds and a divide per output";
        for (int a = 0; a < sums.length; a++) {
            Expr whole = times(sizes.get(a), kernel.get(a));
            if (whole.value() == sums[a]) {
                ops.add(whole);
            } else {
                ops.add(term("A_" + axes[a].toLowerCase(java.util.Locale.ROOT), sums[a]));
                note = "A_" + axes[a].toLowerCase(java.util.Locale.ROOT) + " = elements averaged along " + axes[a]
                        + ", windows clipped at the border";
            }
        }
        return lines.line(Quantity.OPS, "ops", product(ops), "", note).build();
    }

    /** Per spatial axis, the sum over output positions of the number of elements each window averages. */
    private static long[] axisSums(OpContext ctx) {
        PoolShapes.Windowed windowed = PoolShapes.windowed(ctx, ctx.input("X").shape());
        Windows.Geometry g = windowed.geometry();
        boolean includePad = ctx.attrLong("count_include_pad", 0) != 0;
        long[] out = windowed.outputShape().toArray();
        long[] sums = new long[g.axes()];
        for (int a = 0; a < g.axes(); a++) {
            long in = windowed.input()[a];
            long sum = 0;
            for (long o = 0; o < out[a + 2]; o++) {
                long start = o * g.strides()[a] - g.padsBegin()[a];
                for (long j = 0; j < g.kernel()[a]; j++) {
                    long at = start + j * g.dilations()[a];
                    // As PyTorch: a window never reaches past the end padding; padding counts only if included.
                    boolean inside = at >= 0 && at < in;
                    boolean inPadding = at < in + g.padsEnd()[a];
                    if (inside || (includePad && inPadding)) {
                        sum++;
                    }
                }
            }
            sums[a] = sum;
        }
        return sums;
    }
}
