package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * PyTorch's {@code quantized::linear} and {@code quantized::linear_relu} ({@code relu = 1}): Linear's shape with the
 * packed weight {@code [out, in]} and bias, the input's quantized type kept; {@code macs = N * in * out} as the float
 * op, {@code ops} as Linear plus {@code 2 * numel(Y)} for a fused ReLU.
 */
public final class QuantizedLinearRule implements OpRule {
    private final LinearRule linear = new LinearRule();

    @Override
    public List<String> inputs() {
        return linear.inputs();
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return linear.inferShapes(ctx);
    }

    @Override
    public Cost cost(OpContext ctx) {
        return QuantizedRelu.fused(ctx, linear.cost(ctx));
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return QuantizedRelu.fused(ctx, linear.derive(ctx));
    }
}
