package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;

/**
 * {@code aten::quantize_per_tensor(x, scale, zero_point, dtype)}: the same shape in the quantized type named by
 * {@code dtype} ({@code quint8}, {@code qint8}, {@code qint32}); one op per element, as the other elementwise
 * functions (divide by the scale, round, add the zero point and clamp make one function of each element).
 */
public final class QuantizeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        String name = ctx.attrString("dtype", "");
        DType dtype;
        try {
            dtype = DType.fromDisplayName(name);
        } catch (IllegalArgumentException e) {
            throw ctx.fail("attribute 'dtype' is '" + name + "', not a quantized type (quint8, qint8, qint32)");
        }
        if (!dtype.isQuantized()) {
            throw ctx.fail("attribute 'dtype' is '" + name + "', not a quantized type (quint8, qint8, qint32)");
        }
        return List.of(TensorInfo.of(dtype, ctx.input("X").shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.output(0).numel());
    }
}
