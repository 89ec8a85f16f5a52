package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * IR ops LSTMCell, GRUCell, RNNTanhCell, RNNReluCell: one step of PyTorch's cells ({@code aten::lstm_cell(input, hx,
 * w_ih, w_hh, b_ih, b_hh)}). Input {@code [batch, input]}, states {@code [batch, hidden]}; outputs the new h (and c
 * for LSTM), {@code [batch, hidden]}. Cost: the recurrent rule with one step and one direction,
 * {@code macs = batch * gates * hidden * (input + hidden)} (docs/conventions.md, Recurrent ops).
 */
public final class RecurrentCellRule implements OpRule {
    private final Recurrence.Cell cell;

    private RecurrentCellRule(Recurrence.Cell cell) {
        this.cell = cell;
    }

    public static RecurrentCellRule lstm() {
        return new RecurrentCellRule(Recurrence.Cell.LSTM);
    }

    public static RecurrentCellRule gru() {
        return new RecurrentCellRule(Recurrence.Cell.GRU);
    }

    public static RecurrentCellRule rnnTanh() {
        return new RecurrentCellRule(Recurrence.Cell.RNN_TANH);
    }

    public static RecurrentCellRule rnnRelu() {
        return new RecurrentCellRule(Recurrence.Cell.RNN_RELU);
    }

    @Override
    public List<String> inputs() {
        return cell == Recurrence.Cell.LSTM ? List.of("input", "h", "c", "w_ih", "w_hh", "b_ih?", "b_hh?")
                : List.of("input", "h", "w_ih", "w_hh", "b_ih?", "b_hh?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        long[] g = geometry(ctx);
        TensorInfo state = ctx.input("input").withShape(Shape.of(g[0], g[2]));
        return cell == Recurrence.Cell.LSTM ? List.of(state, state) : List.of(state);
    }

    @Override
    public Cost cost(OpContext ctx) {
        long[] g = geometry(ctx);
        return Recurrence.cost(cell, g[0], 1, g[1], g[2], ctx.optionalInput("b_ih").isPresent() && ctx.optionalInput("b_hh").isPresent(), 0);
    }

    /** batch, input, hidden. */
    private long[] geometry(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (x.rank() != 2) {
            throw ctx.fail("input 'input' has shape " + x.shape() + ", expected rank 2 (batch, features)");
        }
        long batch = x.shape().dim(0);
        long input = x.shape().dim(1);
        Shape wHh = ctx.input("w_hh").shape();
        long hidden = wHh.rank() == 2 ? wHh.dim(1) : -1;
        long rows = cell.gates * hidden;
        check(ctx, "w_ih", Shape.of(rows, input));
        check(ctx, "w_hh", Shape.of(rows, hidden));
        for (String bias : List.of("b_ih", "b_hh")) {
            if (ctx.optionalInput(bias).isPresent()) {
                check(ctx, bias, Shape.of(rows));
            }
        }
        for (String state : cell == Recurrence.Cell.LSTM ? List.of("h", "c") : List.of("h")) {
            check(ctx, state, Shape.of(batch, hidden));
        }
        return new long[] {batch, input, hidden};
    }

    private static void check(OpContext ctx, String name, Shape expected) {
        Shape actual = ctx.input(name).shape();
        if (!actual.equals(expected)) {
            throw ctx.fail("input '" + name + "' has shape " + actual + ", expected " + expected);
        }
    }
}
