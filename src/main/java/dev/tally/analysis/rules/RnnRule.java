package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX RNN (Elman), one layer in one or two directions: Y and Y_h as {@link OnnxRecurrent} gives them;
 * {@code macs = steps * batch * dirs * hidden * (input + hidden)},
 * {@code ops = steps * batch * dirs * hidden * (input + hidden + 2 + a)}, {@code a = 1} for Tanh (the default) and
 * 2 for Relu, a clamp (docs/conventions.md).
 */
public final class RnnRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "W", "R", "B?", "sequence_lens?", "initial_h?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return OnnxRecurrent.outputs(ctx, OnnxRecurrent.geometry(ctx, cell(ctx)), 1);
    }

    @Override
    public Cost cost(OpContext ctx) {
        return OnnxRecurrent.cost(ctx, cell(ctx), 0);
    }

    private static Recurrence.Cell cell(OpContext ctx) {
        boolean relu = ctx.attribute("activations")
                .map(a -> a instanceof dev.tally.ir.Attribute.Strs s && !s.values().isEmpty() && s.values().get(0).equals("Relu"))
                .orElse(false);
        return relu ? Recurrence.Cell.RNN_RELU : Recurrence.Cell.RNN_TANH;
    }
}
