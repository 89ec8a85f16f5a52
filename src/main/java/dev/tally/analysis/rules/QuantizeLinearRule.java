package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;

/**
 * ONNX {@code QuantizeLinear(x, y_scale, y_zero_point?)}: {@code y = saturate(round(x / y_scale) + y_zero_point)},
 * the same shape as {@code x} in the type of {@code y_zero_point} (uint8 when it is absent, as the spec says); one op
 * per element, as TorchScript's {@code quantize_per_tensor} ({@link QuantizeRule}): divide, round, shift and clamp
 * make one function of each element. torch.onnx writes each quantized PyTorch op as DequantizeLinear, the float op,
 * QuantizeLinear, so the float op's MACs are the quantized model's, as docs/conventions.md has it.
 */
public final class QuantizeLinearRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("x", "y_scale", "y_zero_point?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        DType type = ctx.optionalInput("y_zero_point").map(TensorInfo::dtype).orElse(DType.UINT8);
        return List.of(TensorInfo.of(type, ctx.input("x").shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.output(0).numel());
    }
}
