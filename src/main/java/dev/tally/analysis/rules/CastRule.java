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
        DType to = dtypeOf(ctx, ctx.attrLong("to"));
        if (!input.hasData()) {
            return List.of(TensorInfo.of(to, input.shape()));
        }
        if (input.data().get().isIntegral()) {
            return List.of(Values.of(to, input.shape(), Values.longs(input.data().get())));
        }
        return List.of(Values.of(to, input.shape(), Values.doubles(input.data().get())));
    }

    /** ONNX's {@code TensorProto.DataType} codes. */
    static DType dtypeOf(OpContext ctx, long code) {
        return switch ((int) code) {
            case 1 -> DType.FLOAT32;
            case 2 -> DType.UINT8;
            case 3 -> DType.INT8;
            case 4 -> DType.UINT16;
            case 5 -> DType.INT16;
            case 6 -> DType.INT32;
            case 7 -> DType.INT64;
            case 8 -> DType.OTHER;
            case 9 -> DType.BOOL;
            case 10 -> DType.FLOAT16;
            case 11 -> DType.FLOAT64;
            case 12 -> DType.UINT32;
            case 13 -> DType.UINT64;
            case 14 -> DType.COMPLEX64;
            case 15 -> DType.COMPLEX128;
            case 16 -> DType.BFLOAT16;
            default -> throw ctx.fail("attribute 'to' is " + code + ", not an ONNX data type code (1 to 16)");
        };
    }
}
