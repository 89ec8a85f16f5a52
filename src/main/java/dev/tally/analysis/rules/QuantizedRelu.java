package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.OpContext;
import java.util.List;
import java.util.Optional;

/** The ReLU a quantized op fuses ({@code conv2d_relu}, {@code add_relu}): the shared clamp, {@code 2 * numel(Y)} ops, no MACs. */
final class QuantizedRelu {
    private QuantizedRelu() {
    }

    static Cost fused(OpContext ctx, Cost op) {
        if (ctx.attrLong("relu", 0) == 0) {
            return op;
        }
        return new Cost(op.macs(), Math.addExact(op.ops(), Math.multiplyExact(2, ctx.output(0).numel())));
    }

    /** The float op's derivation, and with a fused ReLU a last ops line adding its {@code 2 x numel(Y)}. */
    static Derivation fused(OpContext ctx, Derivation op) {
        Optional<Derivation.Line> ops = op.isPresent() ? op.line(Quantity.OPS) : Optional.empty();
        if (ctx.attrLong("relu", 0) == 0 || ops.isEmpty()) {
            return op;
        }
        return op.plus(List.of(new Derivation.Line(Quantity.OPS, "ops", plus(ops.get().expr(),
                times(num(2), term("numel(Y)", ctx.output(0).numel()))), ops.get().unit(), "with the fused ReLU's 2 ops per output")));
    }
}
