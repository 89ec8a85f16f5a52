package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX HannWindow (opset 17), TorchScript's {@code hann_window(size, periodic)}: Y {@code [size]} of
 * {@code output_datatype} (float32 by default), {@code 0.5 - 0.5 cos(2 pi n / N)} with {@code N = size} when periodic,
 * {@code size - 1} otherwise; values kept when small. Cost 0: a constant made on the fly, as Range and ConstantOfShape.
 */
public final class HannWindowRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("size");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        long size = ctx.inputData("size").longAt(0);
        if (size < 0) {
            throw ctx.fail("input 'size' is " + size + ", expected a length of zero or more");
        }
        dev.tally.ir.DType dtype = CastRule.dtypeOf(ctx, "output_datatype", ctx.attrLong("output_datatype", 1));
        Shape shape = Shape.of(size);
        if (!Values.small(shape)) {
            return List.of(TensorInfo.of(dtype, shape));
        }
        long period = ctx.attrLong("periodic", 1) != 0 ? size : size - 1;
        double[] values = new double[(int) size];
        for (int n = 0; n < size; n++) {
            // PyTorch's hann_window(1) is [1]; the formula would divide by a zero period.
            values[n] = period == 0 ? 1 : 0.5 - 0.5 * Math.cos(2 * Math.PI * n / period);
        }
        return List.of(Values.of(dtype, shape, values));
    }
}
