package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.product;
import static dev.tally.analysis.Expr.term;

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
 * IR ops AdaptiveAveragePool / AdaptiveMaxPool (PyTorch {@code adaptive_*_poolNd}; attr {@code output_size}, one per
 * spatial axis, the last axes of X; a size of 0 or less keeps the input size, as PyTorch's None): window i of an axis
 * of size H is {@code [floor(i*H/out), ceil((i+1)*H/out))}; average {@code ops = sum of window sizes over outputs},
 * max {@code ops = sum of (window size - 1)}; {@code macs = 0}.
 */
public final class AdaptivePoolRule implements OpRule {
    private final boolean average;

    private AdaptivePoolRule(boolean average) {
        this.average = average;
    }

    public static AdaptivePoolRule average() {
        return new AdaptivePoolRule(true);
    }

    public static AdaptivePoolRule max() {
        return new AdaptivePoolRule(false);
    }

    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        return List.of(x.withShape(Shape.of(outputDims(ctx, x.shape()))));
    }

    @Override
    public Cost cost(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        long[] out = outputDims(ctx, x);
        int first = x.rank() - sizes(ctx).length;
        // Windows are separable: summed window sizes multiply across axes.
        long total = 1;
        for (int a = 0; a < first; a++) {
            total = Math.multiplyExact(total, x.dim(a));
        }
        for (int a = first; a < x.rank(); a++) {
            total = Math.multiplyExact(total, windowSum(x.dim(a), out[a]));
        }
        return Cost.ops(average ? total : total - ctx.output(0).numel());
    }

    /** Sum over the {@code out} windows of an axis of size {@code in} of their sizes. */
    static long windowSum(long in, long out) {
        long sum = 0;
        for (long i = 0; i < out; i++) {
            long start = Math.floorDiv(i * in, out);
            long end = Math.floorDiv((i + 1) * in + out - 1, out);
            sum += end - start;
        }
        return sum;
    }

    private static long[] sizes(OpContext ctx) {
        List<Long> sizes = ctx.attrLongs("output_size").orElseThrow(() -> ctx.fail("attribute 'output_size' is missing"));
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] outputDims(OpContext ctx, Shape x) {
        long[] sizes = sizes(ctx);
        if (x.rank() < sizes.length + 1) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected at least " + (sizes.length + 1)
                    + " for an output_size of " + sizes.length + " axes");
        }
        long[] out = x.toArray();
        int first = out.length - sizes.length;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > 0) {
                out[first + i] = sizes[i];
            }
        }
        return out;
    }

    /**
     * {@code ops = leading dims x A_h x A_w} (average) or that minus {@code numel(Y)} (max), where {@code A_h} sums the
     * window sizes along an axis: {@code H} itself when the output size divides it.
     */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        long[] out = outputDims(ctx, x);
        int first = x.rank() - sizes(ctx).length;
        java.util.List<Expr> dims = Derive.dims(x, "");
        java.util.List<Expr> factors = new java.util.ArrayList<>(dims.subList(0, first));
        for (int a = first; a < x.rank(); a++) {
            long sum = windowSum(x.dim(a), out[a]);
            factors.add(sum == x.dim(a) ? dims.get(a) : term("A_" + a, sum));
        }
        Expr total = product(factors);
        Expr ops = average ? total : minus(total, product(Derive.dims(ctx.output(0).shape(), "_out")));
        return Derivation.of(average ? "AdaptiveAveragePool" : "AdaptiveMaxPool")
                .line(Quantity.OPS, "ops", ops, "", "A_i = summed window sizes along axis i when windows overlap").build();
    }
}
