package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX LSTM, one layer in one or two directions: Y, Y_h, Y_c as {@link OnnxRecurrent} gives them;
 * {@code macs = steps * batch * dirs * 4 * hidden * (input + hidden)},
 * {@code ops = steps * batch * dirs * hidden * (4 * (input + hidden + 2) + 9)} (two bias adds per gate with B,
 * 9 elementwise ops of the cell update), plus 6 per unit and step with peepholes P (docs/conventions.md).
 */
public final class LstmRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "W", "R", "B?", "sequence_lens?", "initial_h?", "initial_c?", "P?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return OnnxRecurrent.outputs(ctx, OnnxRecurrent.geometry(ctx, Recurrence.Cell.LSTM), 2);
    }

    @Override
    public Cost cost(OpContext ctx) {
        // Peepholes: p_i (.) c, p_f (.) c and p_o (.) c' are a multiply and an add each.
        return OnnxRecurrent.cost(ctx, Recurrence.Cell.LSTM, ctx.optionalInput("P").isPresent() ? 6 : 0);
    }
}
