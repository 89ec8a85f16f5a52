package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * PyTorch's {@code quantized::conv2d} and {@code quantized::conv2d_relu} ({@code relu = 1}) on a quantized input:
 * the shape of ONNX Conv with the packed weight and bias, and the output keeps the input's quantized type. The
 * count is the float op's: {@code macs = numel(Y) * (Cin/g) * prod(k)}, {@code ops} as Conv plus, fused,
 * {@code 2 * numel(Y)} for the ReLU clamp (docs/conventions.md, quantized ops). Requantizing to the output's scale
 * is bookkeeping of the integer kernel, not counted, as the float op has no such step.
 */
public final class QuantizedConvRule implements OpRule {
    private final ConvRule conv = new ConvRule();

    @Override
    public List<String> inputs() {
        return conv.inputs();
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return conv.inferShapes(ctx);
    }

    @Override
    public Cost cost(OpContext ctx) {
        return QuantizedRelu.fused(ctx, conv.cost(ctx));
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return QuantizedRelu.fused(ctx, conv.derive(ctx));
    }
}
