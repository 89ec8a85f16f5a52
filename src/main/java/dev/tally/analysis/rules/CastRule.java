package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;

/**
 * ONNX Cast to {@code to} (an ONNX TensorProto data type code): same shape, new element type; values converted
 * (floats truncate toward zero into integers, non-zero becomes true); cost 0 (a type change, not arithmetic).
 */
public final class CastRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        DType to = dtypeOf(ctx, "to", ctx.attrLong("to"));
        if (!input.hasData()) {
            return List.of(TensorInfo.of(to, input.shape()));
        }
        if (input.data().get().isIntegral()) {
            return List.of(Values.of(to, input.shape(), Values.longs(input.data().get())));
        }
        return List.of(Values.of(to, input.shape(), Values.doubles(input.data().get())));
    }

    /**
     * The type attribute {@code attribute} gives as an ONNX {@code TensorProto.DataType} code ({@link DType#ofOnnxCode});
     * another number is the node's error, naming the attribute.
     */
    static DType dtypeOf(OpContext ctx, String attribute, long code) {
        DType type = DType.ofOnnxCode(code);
        if (type == null) {
            throw ctx.fail("attribute '" + attribute + "' is " + code + ", not an ONNX data type code (1 to 16)");
        }
        return type;
    }
}
