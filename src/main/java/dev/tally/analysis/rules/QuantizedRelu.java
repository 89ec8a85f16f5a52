package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;

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
}
