package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.floor;
import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Derivation;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The pieces of derivations that many rules share: the symbols of a tensor's dims ({@code N x C x H x W}) and the
 * output-size lines of a window op, written with the same {@link Windows} numbers the shape rule uses.
 */
public final class Derive {
    private Derive() {
    }

    /** Spatial axis names by the number of spatial axes: L; H, W; D, H, W. */
    static String[] axisNames(int spatial) {
        return switch (spatial) {
            case 1 -> new String[] {"L"};
            case 2 -> new String[] {"H", "W"};
            case 3 -> new String[] {"D", "H", "W"};
            default -> {
                String[] names = new String[spatial];
                for (int i = 0; i < spatial; i++) {
                    names[i] = "X" + (i + 1);
                }
                yield names;
            }
        };
    }

    /** The symbols of a tensor's dims: N x C x spatial for rank 3 to 5, N x C for rank 2, d_i otherwise. */
    public static List<String> dimSymbols(int rank, String suffix) {
        List<String> names = new ArrayList<>();
        if (rank == 2 || (rank >= 3 && rank <= 5)) {
            names.add("N");
            names.add("C" + suffix);
            if (rank > 2) {
                for (String axis : axisNames(rank - 2)) {
                    names.add(axis + suffix);
                }
            }
            return names;
        }
        for (int i = 0; i < rank; i++) {
            names.add("d_" + i);
        }
        return names;
    }

    /** The dims of {@code shape} as terms, named by {@link #dimSymbols}. */
    public static List<Expr> dims(Shape shape, String suffix) {
        List<String> names = dimSymbols(shape.rank(), suffix);
        List<Expr> terms = new ArrayList<>();
        for (int i = 0; i < shape.rank(); i++) {
            terms.add(term(names.get(i), shape.dim(i)));
        }
        return terms;
    }

    /** {@code numel} of {@code shape} as the product of its dims: {@code N x C x H x W}. */
    public static Expr numel(Shape shape) {
        return Expr.product(dims(shape, ""));
    }

    /** {@code k x numel(shape)}: the count of an elementwise op of {@code k} operations per element. */
    static Derivation perElement(String op, long k, Shape shape, String why) {
        Expr elements = numel(shape);
        return Derivation.of(op).line(Derivation.Quantity.OPS, "ops", k == 1 ? elements : times(num(k), elements), "", why).build();
    }

    /**
     * One output-size line per spatial axis ({@code H_out = floor((H + 2 x P - K) / S) + 1 = ... = 56}), with
     * symbols without axis subscripts when every axis has the same kernel, stride, padding and dilation.
     */
    static List<Expr> outputSizes(OpContext ctx, Windows.Geometry g, long[] input, Derivation.Builder builder) {
        String[] axes = axisNames(input.length);
        boolean uniform = uniform(g.kernel()) && uniform(g.strides()) && uniform(g.dilations())
                && uniform(g.padsBegin()) && uniform(g.padsEnd());
        List<Expr> sizes = new ArrayList<>();
        for (int i = 0; i < input.length; i++) {
            String sub = uniform ? "" : "_" + axes[i].toLowerCase(java.util.Locale.ROOT);
            Expr size = term(axes[i], input[i]);
            Expr k = term("K" + sub, g.kernel()[i]);
            Expr padding = g.padsBegin()[i] == g.padsEnd()[i] ? times(num(2), term("P" + sub, g.padsBegin()[i]))
                    : plus(term("P" + (sub.isEmpty() ? "_b" : sub + "b"), g.padsBegin()[i]),
                    term("P" + (sub.isEmpty() ? "_e" : sub + "e"), g.padsEnd()[i]));
            Expr span = g.dilations()[i] == 1 ? k
                    : plus(times(term("D" + sub, g.dilations()[i]), minus(k, num(1))), num(1));
            Expr room = minus(plus(size, padding), span);
            Expr stride = term("S" + sub, g.strides()[i]);
            long value = Windows.outputSize(ctx, i, input[i], g.kernel()[i], g.strides()[i], g.dilations()[i],
                    g.padsBegin()[i], g.padsEnd()[i], g.ceilMode());
            Expr formula = plus(g.ceilMode() ? Expr.ceil(room, stride) : floor(room, stride), num(1));
            String note = "";
            if (formula.value() != value) {
                // PyTorch's ceil mode drops a last window that would start in the right padding.
                formula = minus(formula, num(1));
                note = "ceil mode: the last window would start in the padding, so it is dropped";
            }
            builder.line(Derivation.Quantity.SIZE, axes[i] + "_out", formula, "", note);
            sizes.add(term(axes[i] + "_out", value));
        }
        return sizes;
    }

    /** The kernel terms {@code K_h, K_w} of a window. */
    static List<Expr> kernelTerms(long[] kernel) {
        String[] axes = axisNames(kernel.length);
        List<Expr> terms = new ArrayList<>();
        for (int i = 0; i < kernel.length; i++) {
            terms.add(term("K_" + axes[i].toLowerCase(java.util.Locale.ROOT), kernel[i]));
        }
        return terms;
    }

    private static boolean uniform(long[] values) {
        for (long v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }
}
