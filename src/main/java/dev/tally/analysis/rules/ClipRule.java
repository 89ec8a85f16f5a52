package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import java.util.List;
import java.util.Optional;

/**
 * ONNX Clip (PyTorch {@code clamp}, ReLU6, Hardtanh): bounds from inputs {@code min?}/{@code max?} (opset 11+) or the
 * attributes of older opsets; Y has the input's shape; {@code macs = 0}, {@code ops = 2 * numel(Y)} like every clamp
 * (docs/conventions.md); values computed for known inputs.
 */
public final class ClipRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "min?", "max?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (!x.hasData() || !Values.small(x.shape())) {
            return List.of(TensorInfo.of(x.dtype(), x.shape()));
        }
        double low = bound(ctx, "min", Double.NEGATIVE_INFINITY);
        double high = bound(ctx, "max", Double.POSITIVE_INFINITY);
        double[] values = Values.doubles(x.data().get());
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.min(high, Math.max(low, values[i]));
        }
        return List.of(Values.of(x.dtype(), x.shape(), values));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(Math.multiplyExact(2, ctx.output(0).numel()));
    }

    private static double bound(OpContext ctx, String name, double fallback) {
        Optional<ConstData> input = ctx.optionalInputData(name);
        if (input.isPresent()) {
            return input.get().doubleAt(0);
        }
        return ctx.attrDouble(name, fallback);
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return Derive.perElement("Clip", 2, ctx.output(0).shape(), "a comparison and an assignment per element");
    }
}
