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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Elementwise ops of two or more inputs with numpy broadcasting (Add, Sub, Mul, Div, Pow, Mod, Max, Min, Sum, Mean,
 * Equal, Less, Greater, And, Or, PRelu): Y is the broadcast shape; {@code macs = 0},
 * {@code ops = opsPerElement * (k - 1) * numel(Y)} for k inputs (Mean adds one divide per element); values are
 * computed when every input's values are known, so shape arithmetic resolves (docs/conventions.md).
 */
public final class ElementwiseRule implements OpRule {
    private final List<String> inputs;
    private final long opsPerElement;
    private final boolean mean;
    private final Function<OpContext, Arithmetic> arithmetic;

    private ElementwiseRule(List<String> inputs, long opsPerElement, boolean mean, Function<OpContext, Arithmetic> arithmetic) {
        this.inputs = inputs;
        this.opsPerElement = opsPerElement;
        this.mean = mean;
        this.arithmetic = arithmetic;
    }

    /** A two-input op with one operation per output element. */
    public static ElementwiseRule binary(Arithmetic arithmetic) {
        return new ElementwiseRule(List.of("A", "B"), 1, false, ctx -> arithmetic);
    }

    /** A two-input op whose function depends on attributes (Mod's {@code fmod}). */
    static ElementwiseRule binary(Function<OpContext, Arithmetic> arithmetic) {
        return new ElementwiseRule(List.of("A", "B"), 1, false, arithmetic);
    }

    /** A variadic op (Sum, Max, Min): {@code k - 1} operations per output element for k inputs. */
    public static ElementwiseRule variadic(Arithmetic arithmetic) {
        return new ElementwiseRule(List.of("data_0..."), 1, false, ctx -> arithmetic);
    }

    /** Mean of k inputs: k - 1 adds and one divide per output element. */
    public static ElementwiseRule mean() {
        return new ElementwiseRule(List.of("data_0..."), 1, true, ctx -> null);
    }

    /** PRelu: a clamp, {@code 2 * numel(Y)} (a comparison and a multiply-or-assign per element). */
    public static ElementwiseRule prelu() {
        return new ElementwiseRule(List.of("X", "slope"), 2, false, ctx -> null);
    }

    @Override
    public List<String> inputs() {
        return inputs;
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> operands = operands(ctx);
        List<Shape> shapes = new ArrayList<>();
        for (TensorInfo operand : operands) {
            shapes.add(operand.shape());
        }
        Shape out = Broadcast.shape(shapes);
        Arithmetic fn = arithmetic.apply(ctx);
        DType dtype = fn != null && fn.isPredicate() ? DType.BOOL : promoted(operands);
        if (fn == null && !mean || !Values.known(operands, out)) {
            return List.of(TensorInfo.of(dtype, out));
        }
        return List.of(mean ? meanOf(operands, out, dtype) : fold(operands, out, dtype, fn));
    }

    @Override
    public Cost cost(OpContext ctx) {
        int k = operands(ctx).size();
        long steps = k - 1 + (mean && k > 1 ? 1 : 0);
        return Cost.ops(Math.multiplyExact(Math.multiplyExact(opsPerElement, steps), ctx.output(0).numel()));
    }

    /**
     * PyTorch's type promotion for a tensor and Python numbers: a 0-d constant (a number in the code, {@code 2 * x},
     * {@code 1 - x}) does not decide the type when a dimensioned operand exists, except that a floating number makes an
     * integer tensor's result float32 (the default dtype). Without a dimensioned operand, the first operand's type.
     */
    static DType promoted(List<TensorInfo> operands) {
        DType tensorType = null;
        boolean floatingNumber = false;
        for (TensorInfo operand : operands) {
            boolean number = operand.rank() == 0 && operand.hasData();
            if (!number && tensorType == null) {
                tensorType = operand.dtype();
            }
            floatingNumber |= number && operand.dtype().isFloatingPoint();
        }
        if (tensorType == null) {
            return operands.get(0).dtype();
        }
        return floatingNumber && tensorType.isIntegral() ? DType.FLOAT32 : tensorType;
    }

    private List<TensorInfo> operands(OpContext ctx) {
        if (inputs.size() == 1) {
            List<TensorInfo> all = ctx.variadic("data_0");
            if (all.isEmpty()) {
                throw ctx.fail("the op needs at least one input");
            }
            return all;
        }
        return List.of(ctx.input(inputs.get(0)), ctx.input(inputs.get(1)));
    }

    /** Left fold of {@code fn} over the broadcast operands; integer inputs compute exactly in longs. */
    static TensorInfo fold(List<TensorInfo> operands, Shape out, DType dtype, Arithmetic fn) {
        boolean integral = true;
        for (TensorInfo operand : operands) {
            integral &= operand.dtype().isIntegral() && operand.data().get().isIntegral();
        }
        int n = (int) out.numel();
        List<int[]> index = new ArrayList<>();
        for (TensorInfo operand : operands) {
            index.add(Values.gatherIndex(out, Broadcast.stridesInto(operand.shape(), out)));
        }
        if (integral) {
            long[] result = new long[n];
            for (int e = 0; e < n; e++) {
                long acc = operands.get(0).data().get().longAt(index.get(0)[e]);
                for (int k = 1; k < operands.size(); k++) {
                    acc = fn.ofLongs(acc, operands.get(k).data().get().longAt(index.get(k)[e]));
                }
                result[e] = acc;
            }
            return Values.of(dtype, out, result);
        }
        // A float32 result is computed in float32, as PyTorch does: a Python number (a float64 constant) is rounded to
        // float first, then each step's result (an exact product or quotient of floats rounds once, as in float32).
        boolean single = dtype == DType.FLOAT32;
        double[] result = new double[n];
        for (int e = 0; e < n; e++) {
            double acc = operand(operands.get(0), index.get(0)[e], single);
            for (int k = 1; k < operands.size(); k++) {
                acc = fn.ofDoubles(acc, operand(operands.get(k), index.get(k)[e], single));
                acc = single ? (float) acc : acc;
            }
            result[e] = acc;
        }
        return Values.of(dtype, out, result);
    }

    private static double operand(TensorInfo operand, int index, boolean single) {
        double value = operand.data().get().doubleAt(index);
        return single ? (float) value : value;
    }

    private static TensorInfo meanOf(List<TensorInfo> operands, Shape out, DType dtype) {
        TensorInfo sum = fold(operands, out, DType.FLOAT64, Arithmetic.of(Long::sum, Double::sum));
        double[] values = Values.doubles(sum.data().get());
        for (int i = 0; i < values.length; i++) {
            values[i] /= operands.size();
        }
        return Values.of(dtype, out, values);
    }

    /** {@code ops = (k - 1) x numel(Y)} for k inputs (Mean one more), PRelu {@code 2 x numel(Y)}. */
    @Override
    public Derivation derive(OpContext ctx) {
        int k = operands(ctx).size();
        Expr elements = Derive.numel(ctx.output(0).shape());
        Expr steps = mean ? term("k", k) : minus(term("k", k), num(1));
        Expr ops = times(steps, elements);
        if (opsPerElement != 1) {
            ops = times(num(opsPerElement), ops);
        }
        if (k == 2 && !mean) {
            ops = opsPerElement == 1 ? elements : times(num(opsPerElement), elements);
        }
        if (mean && k == 1) {
            ops = num(0);
        }
        return Derivation.of(ctx.node().opType()).line(Quantity.OPS, "ops", ops, "", "k inputs broadcast to Y").build();
    }
}
