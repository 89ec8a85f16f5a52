package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;

/**
 * {@code aten::dequantize(x)}: a quantized tensor back to float32, same shape; one op per element
 * ({@code (q - zero_point) * scale} as one function of each element, as {@link QuantizeRule}).
 */
public final class DequantizeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return List.of(TensorInfo.of(DType.FLOAT32, ctx.input("X").shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.output(0).numel());
    }
}
