package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import java.util.List;
import java.util.Optional;

/**
 * Fill, TorchScript's {@code fill_(input, value)} and {@code zero_(input)} (value 0): Y has the input's shape and
 * element type, every element the one-element {@code value}; cost 0 (a write, no arithmetic, as ConstantOfShape);
 * values kept when the value is known and Y is small. The input comes first so that the in-place form, the only
 * one TorchScript code writes, allocates nothing (its output is the input's storage).
 */
public final class FillRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "value");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        TensorInfo value = ctx.input("value");
        if (value.numel() != 1) {
            throw ctx.fail("input 'value' has " + value.numel() + " elements, expected one (a 0-d tensor or a number)");
        }
        Optional<ConstData> fill = value.data();
        if (fill.isEmpty() || !Values.small(input.shape())) {
            return List.of(TensorInfo.of(input.dtype(), input.shape()));
        }
        double[] values = new double[(int) input.numel()];
        java.util.Arrays.fill(values, fill.get().doubleAt(0));
        return List.of(Values.of(input.dtype(), input.shape(), values));
    }
}
