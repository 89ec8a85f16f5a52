package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX {@code DequantizeLinear(x, x_scale, x_zero_point?)}: {@code y = (x - x_zero_point) * x_scale}, the same shape
 * as {@code x} in the type of {@code x_scale} (float32 in every PyTorch export); one op per element, as TorchScript's
 * {@code dequantize} ({@link DequantizeRule}). A stored {@code x} is a quantized weight or bias, counted as a param by
 * the ONNX reader; its scale and zero point are that tensor's quantization, not params (docs/conventions.md).
 */
public final class DequantizeLinearRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("x", "x_scale", "x_zero_point?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return List.of(TensorInfo.of(ctx.input("x_scale").dtype(), ctx.input("x").shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.output(0).numel());
    }
}
