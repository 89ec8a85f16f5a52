package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Constant: its {@code value} tensor, or {@code value_float(s)} / {@code value_int(s)}; values always known;
 * no inputs, cost 0.
 */
public final class ConstantRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of();
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        for (var entry : ctx.node().attributes().entrySet()) {
            Attribute a = entry.getValue();
            switch (entry.getKey()) {
                case "value" -> {
                    if (a instanceof Attribute.Tensor tensor) {
                        ConstTensor t = tensor.value();
                        return List.of(TensorInfo.constant(t.dtype(), t.shape(), t.data()));
                    }
                }
                case "value_float" -> {
                    if (a instanceof Attribute.Float f) {
                        return List.of(TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(f.value())));
                    }
                }
                case "value_floats" -> {
                    if (a instanceof Attribute.Floats f) {
                        double[] values = f.values().stream().mapToDouble(Double::doubleValue).toArray();
                        return List.of(TensorInfo.constant(DType.FLOAT32, Shape.of(values.length), ConstData.ofFloats(values)));
                    }
                }
                case "value_int" -> {
                    if (a instanceof Attribute.Int i) {
                        return List.of(TensorInfo.constant(DType.INT64, Shape.scalar(), ConstData.ofInts(i.value())));
                    }
                }
                case "value_ints" -> {
                    if (a instanceof Attribute.Ints i) {
                        return List.of(TensorInfo.ints(i.values().stream().mapToLong(Long::longValue).toArray()));
                    }
                }
                default -> {
                    // sparse_value and string values hold nothing a shape depends on; reported below if alone.
                }
            }
        }
        throw ctx.fail("it has no 'value', 'value_float(s)' or 'value_int(s)' attribute that Tally can read");
    }
}
