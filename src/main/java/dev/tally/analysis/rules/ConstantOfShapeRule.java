package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Optional;

/**
 * ONNX ConstantOfShape: a tensor of shape {@code input}'s values filled with {@code value} (a one-element tensor,
 * float32 0 by default); values kept when small; cost 0.
 */
public final class ConstantOfShapeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        Optional<long[]> upper = ctx.inputUpperBounds("input");
        if (upper.isPresent()) {
            // A shape computed from data values with bounds on those values (torchvision's zero padding up to a box):
            // at the bound, each size at least 0.
            long[] dims = upper.get().clone();
            for (int i = 0; i < dims.length; i++) {
                dims[i] = Math.max(0, dims[i]);
            }
            ctx.bound("its shape is computed from the data, at most " + java.util.Arrays.toString(dims)
                    + ", from the bounds of the values it is computed from");
            DType type = ctx.attribute("value").map(v -> v instanceof Attribute.Tensor t ? t.value().dtype() : DType.FLOAT32)
                    .orElse(DType.FLOAT32);
            return List.of(TensorInfo.of(type, Shape.of(dims)).asDataDependent());
        }
        long[] dims = Values.longs(ctx.inputData("input"));
        for (long d : dims) {
            if (d < 0) {
                throw ctx.fail("input 'input' holds " + d + ", expected sizes of zero or more");
            }
        }
        Shape shape = Shape.of(dims);
        DType dtype = DType.FLOAT32;
        double fill = 0;
        Optional<Attribute> value = ctx.attribute("value");
        if (value.isPresent()) {
            if (!(value.get() instanceof Attribute.Tensor tensor) || tensor.value().data().size() != 1) {
                throw ctx.fail("attribute 'value' should be a tensor of one element");
            }
            ConstTensor t = tensor.value();
            dtype = t.dtype();
            fill = t.data().doubleAt(0);
        }
        if (!Values.small(shape)) {
            return List.of(TensorInfo.of(dtype, shape));
        }
        double[] values = new double[(int) shape.numel()];
        java.util.Arrays.fill(values, fill);
        return List.of(Values.of(dtype, shape, values));
    }
}
