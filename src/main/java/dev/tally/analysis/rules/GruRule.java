package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX GRU, one layer in one or two directions: Y and Y_h as {@link OnnxRecurrent} gives them;
 * {@code macs = steps * batch * dirs * 3 * hidden * (input + hidden)},
 * {@code ops = steps * batch * dirs * hidden * (3 * (input + hidden + 2) + 8)}. The reset gate multiplies
 * {@code W_hn h + b_hn} ({@code linear_before_reset = 1}, PyTorch's form) or h before the product (0): one
 * elementwise multiply per unit either way, never a MAC (docs/conventions.md).
 */
public final class GruRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "W", "R", "B?", "sequence_lens?", "initial_h?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return OnnxRecurrent.outputs(ctx, OnnxRecurrent.geometry(ctx, Recurrence.Cell.GRU), 1);
    }

    @Override
    public Cost cost(OpContext ctx) {
        return OnnxRecurrent.cost(ctx, Recurrence.Cell.GRU, 0);
    }
}
