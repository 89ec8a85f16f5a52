package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Range: {@code max(ceil((limit - start) / delta), 0)} elements {@code start + i*delta}; the three scalars must be
 * known; values kept when small; cost 0 (exporters use it for index tensors).
 */
public final class RangeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("start", "limit", "delta");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo start = ctx.input("start");
        double first = ctx.inputData("start").doubleAt(0);
        double limit = ctx.inputData("limit").doubleAt(0);
        double delta = ctx.inputData("delta").doubleAt(0);
        if (delta == 0) {
            throw ctx.fail("input 'delta' is 0, expected a non-zero step");
        }
        long n = (long) Math.max(Math.ceil((limit - first) / delta), 0);
        Shape shape = Shape.of(n);
        if (!Values.small(shape)) {
            return List.of(TensorInfo.of(start.dtype(), shape));
        }
        double[] values = new double[(int) n];
        for (int i = 0; i < n; i++) {
            values[i] = first + i * delta;
        }
        return List.of(Values.of(start.dtype(), shape, values));
    }
}
