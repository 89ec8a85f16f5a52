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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ONNX ReduceMean / ReduceSum / ReduceMax / ReduceMin / ReduceProd / ReduceL2 over {@code axes} (input since opset 13
 * for ReduceSum and 18 for the rest, attribute before; the input wins; none means all unless
 * {@code noop_with_empty_axes}), {@code keepdims} default 1; {@code macs = 0}; Mean {@code ops = numel(X)} (n - 1 adds
 * and one divide per output, as AvgPool), L2 {@code ops = 2 numel(X)} (n squares, n - 1 adds and one square root per
 * output: F.normalize in Swin V2), the others {@code ops = numel(X) - numel(Y)} (n - 1 per output); values computed
 * when known (docs/conventions.md).
 */
public final class ReduceRule implements OpRule {
    /** What is computed per output. */
    public enum Kind { MEAN, SUM, MAX, MIN, PROD, L2 }

    private final Kind kind;

    public ReduceRule(Kind kind) {
        this.kind = kind;
    }

    @Override
    public List<String> inputs() {
        return List.of("data", "axes?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        int[] axes = axes(ctx, data.rank());
        boolean keep = ctx.attrLong("keepdims", 1) != 0;
        Shape out = reducedShape(data.shape(), axes, keep);
        if (!Values.known(data, out)) {
            return List.of(TensorInfo.of(data.dtype(), out));
        }
        return List.of(values(data, axes, out));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long in = ctx.input("data").numel();
        return Cost.ops(switch (kind) {
            case MEAN -> in;
            case L2 -> Math.multiplyExact(2, in);
            default -> in - ctx.output(0).numel();
        });
    }

    /** The shape with {@code axes} removed, or kept as size 1. */
    static Shape reducedShape(Shape shape, int[] axes, boolean keep) {
        boolean[] reduced = new boolean[shape.rank()];
        for (int a : axes) {
            reduced[a] = true;
        }
        List<Long> out = new ArrayList<>();
        for (int a = 0; a < shape.rank(); a++) {
            if (!reduced[a]) {
                out.add(shape.dim(a));
            } else if (keep) {
                out.add(1L);
            }
        }
        return new Shape(out);
    }

    private static int[] axes(OpContext ctx, int rank) {
        Optional<long[]> given = Axes.of(ctx);
        if (given.isPresent() && given.get().length > 0) {
            return Axes.normalizeAll(ctx, given.get(), rank);
        }
        if (ctx.attrLong("noop_with_empty_axes", 0) != 0) {
            return new int[0];
        }
        int[] all = new int[rank];
        for (int i = 0; i < rank; i++) {
            all[i] = i;
        }
        return all;
    }

    private TensorInfo values(TensorInfo data, int[] axes, Shape out) {
        Shape kept = reducedShape(data.shape(), axes, true);
        long[] inStrides = Values.strides(data.shape());
        long[] keptStrides = Values.strides(kept);
        double[] in = Values.doubles(data.data().get());
        double[] acc = new double[(int) kept.numel()];
        long[] counts = new long[acc.length];
        boolean[] reduced = new boolean[data.rank()];
        for (int a : axes) {
            reduced[a] = true;
        }
        for (int e = 0; e < in.length; e++) {
            long rest = e;
            long target = 0;
            for (int a = 0; a < data.rank(); a++) {
                long coordinate = rest / inStrides[a];
                rest %= inStrides[a];
                target += reduced[a] ? 0 : coordinate * keptStrides[a];
            }
            int t = (int) target;
            double v = kind == Kind.L2 ? in[e] * in[e] : in[e];
            acc[t] = counts[t] == 0 ? v : switch (kind) {
                case MEAN, SUM, L2 -> acc[t] + v;
                case MAX -> Math.max(acc[t], v);
                case MIN -> Math.min(acc[t], v);
                case PROD -> acc[t] * v;
            };
            counts[t]++;
        }
        for (int t = 0; t < acc.length; t++) {
            if (counts[t] == 0) {
                acc[t] = kind == Kind.PROD ? 1 : 0;
            } else if (kind == Kind.MEAN) {
                acc[t] /= counts[t];
            } else if (kind == Kind.L2) {
                acc[t] = Math.sqrt(acc[t]);
            }
        }
        return Values.of(data.dtype(), out, acc);
    }

    /** Mean {@code ops = numel(X)}; L2 {@code 2 numel(X)}; the others {@code numel(X) - numel(Y)}. */
    @Override
    public Derivation derive(OpContext ctx) {
        Expr in = Derive.numel(ctx.input("data").shape());
        Expr ops = switch (kind) {
            case MEAN -> in;
            case L2 -> times(num(2), in);
            default -> minus(in, product(Derive.dims(ctx.output(0).shape(), "_out")));
        };
        return Derivation.of(ctx.node().opType()).line(Quantity.OPS, "ops", ops).build();
    }
}
