package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * PyTorch's {@code quantized::add}, {@code add_relu} and {@code quantized::mul} of two quantized tensors: the
 * broadcast shape, the first operand's quantized type, one op per output element as the float Add and Mul, plus
 * {@code 2 * numel(Y)} for a fused ReLU ({@code relu = 1}); no MACs.
 */
public final class QuantizedBinaryRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("A", "B");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo a = ctx.input("A");
        return List.of(TensorInfo.of(a.dtype(), Broadcast.shape(a.shape(), ctx.input("B").shape())));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return FusedReluRule.fused(ctx, Cost.ops(ctx.output(0).numel()));
    }
}
