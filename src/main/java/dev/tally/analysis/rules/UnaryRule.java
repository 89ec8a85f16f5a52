package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise functions of one input (Relu, Sigmoid, Tanh, Erf, Exp, Log, Sqrt, Neg, Abs, Floor, Ceil, Not, ...): Y has
 * X's shape; {@code macs = 0}, {@code ops = opsPerElement * numel(Y)}: 1 for a function, 2 for a clamp such as Relu
 * (a comparison and an assignment), 3 for Mish (softplus, tanh, multiply); values are computed for known inputs
 * (docs/conventions.md).
 */
public final class UnaryRule implements OpRule {
    private final long opsPerElement;
    private final DoubleUnaryOperator function;
    private final DType resultType;

    private UnaryRule(long opsPerElement, DoubleUnaryOperator function, DType resultType) {
        this.opsPerElement = opsPerElement;
        this.function = function;
        this.resultType = resultType;
    }

    /** One operation per element; values are not tracked (no shape depends on them). */
    public static UnaryRule function() {
        return new UnaryRule(1, null, null);
    }

    /** One operation per element, with values computed by {@code function}; integer inputs keep their type. */
    public static UnaryRule function(DoubleUnaryOperator function) {
        return new UnaryRule(1, function, null);
    }

    /** One operation per element whose result is floating even for integer inputs (Sqrt of a size). */
    public static UnaryRule floating(DoubleUnaryOperator function) {
        return new UnaryRule(1, function, DType.FLOAT32);
    }

    /** Logical not: one operation per element, a bool result. */
    public static UnaryRule not() {
        return new UnaryRule(1, x -> x == 0 ? 1 : 0, DType.BOOL);
    }

    /** {@code opsPerElement} operations per element (2 for a clamp, 3 for Mish), values computed when given. */
    public static UnaryRule steps(long opsPerElement, DoubleUnaryOperator function) {
        return new UnaryRule(opsPerElement, function, null);
    }

    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        DType dtype = resultType == null ? x.dtype()
                : resultType == DType.FLOAT32 && x.dtype().isFloatingPoint() ? x.dtype() : resultType;
        if (function == null || !x.hasData() || !Values.small(x.shape())) {
            // The input itself when equal to what is made (a chain of a million elementwise ops made a million copies).
            return List.of(x.isPlain() && x.dtype() == dtype ? x : TensorInfo.of(dtype, x.shape()));
        }
        double[] values = Values.doubles(x.data().get());
        for (int i = 0; i < values.length; i++) {
            values[i] = function.applyAsDouble(values[i]);
        }
        return List.of(Values.of(dtype, x.shape(), values));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(Math.multiplyExact(opsPerElement, ctx.output(0).numel()));
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return Derive.perElement(ctx.node().opType(), opsPerElement, ctx.output(0).shape(),
                opsPerElement == 2 ? "a comparison and an assignment per element" : opsPerElement + " per element");
    }
}
