package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;
import java.util.Optional;

/**
 * A float op's rule for PyTorch's quantized form of it, which may fuse a ReLU ({@code relu = 1}): inputs and shapes
 * are the float op's (its output keeps the input's quantized type), the count is the float op's plus, fused,
 * {@code 2 * numel(Y)} ops for the ReLU clamp and no MACs (docs/conventions.md, quantized ops). Requantizing to the
 * output's scale is bookkeeping of the integer kernel, not counted, as the float op has no such step. Registered for
 * {@code quantized::conv2d(_relu)} over {@link ConvRule} ({@code macs = numel(Y) * (Cin/g) * prod(k)}) and
 * {@code quantized::linear(_relu)} over {@link LinearRule} ({@code macs = N * in * out}, packed weight
 * {@code [out, in]}).
 */
public final class FusedReluRule implements OpRule {
    private final OpRule base;

    public FusedReluRule(OpRule base) {
        this.base = base;
    }

    @Override
    public List<String> inputs() {
        return base.inputs();
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return base.inferShapes(ctx);
    }

    @Override
    public Cost cost(OpContext ctx) {
        return fused(ctx, base.cost(ctx));
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return fused(ctx, base.derive(ctx));
    }

    /** {@code op}'s cost, plus the fused ReLU's {@code 2 * numel(Y)} ops when the node has {@code relu = 1}. */
    static Cost fused(OpContext ctx, Cost op) {
        if (ctx.attrLong("relu", 0) == 0) {
            return op;
        }
        return new Cost(op.macs(), Math.addExact(op.ops(), Math.multiplyExact(2, ctx.output(0).numel())));
    }

    /** {@code op}'s derivation, and with a fused ReLU a last ops line adding its {@code 2 x numel(Y)}. */
    static Derivation fused(OpContext ctx, Derivation op) {
        Optional<Derivation.Line> ops = op.isPresent() ? op.line(Quantity.OPS) : Optional.empty();
        if (ctx.attrLong("relu", 0) == 0 || ops.isEmpty()) {
            return op;
        }
        return op.plus(List.of(new Derivation.Line(Quantity.OPS, "ops", plus(ops.get().expr(),
                times(num(2), term("numel(Y)", ctx.output(0).numel()))), ops.get().unit(), "with the fused ReLU's 2 ops per output")));
    }
}
