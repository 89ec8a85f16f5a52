package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;

/**
 * The arithmetic every recurrent op shares (docs/conventions.md, Recurrent ops): per time step, batch row and
 * direction, each of the cell's {@code gates} pre-activations of {@code hidden} units is a dot product of the
 * step input and the previous hidden state with a weight row, {@code gates * hidden * (input + hidden)}
 * multiply-accumulates, plus the input and the hidden bias ({@code 2 * gates * hidden} adds, PyTorch's two bias
 * vectors), plus the cell's elementwise update ({@link Cell#pointwise} ops per hidden unit).
 */
final class Recurrence {
    private Recurrence() {
    }

    /** A cell type: its gate count and the elementwise ops of one step per hidden unit. */
    enum Cell {
        /** i, f, o sigmoids and g tanh (4); c' = f*c + i*g (3); h' = o * tanh(c') (2). */
        LSTM(4, 9),
        /** r, z sigmoids and n tanh (3); r * (W_hn h + b_hn) (1); h' = (1 - z) * n + z * h (4). */
        GRU(3, 8),
        /** tanh of the pre-activation. */
        RNN_TANH(1, 1),
        /** ReLU of the pre-activation: a comparison and an assignment, as every clamp. */
        RNN_RELU(1, 2);

        final int gates;
        final int pointwise;

        Cell(int gates, int pointwise) {
            this.gates = gates;
            this.pointwise = pointwise;
        }
    }

    /**
     * The cost of {@code rows} (time steps times batch rows) steps of one layer in {@code directions} directions;
     * {@code extra} is additional elementwise ops per hidden unit and step (LSTM peepholes).
     */
    static Cost cost(Cell cell, long rows, long directions, long input, long hidden, boolean bias, long extra) {
        long units = Math.multiplyExact(Math.multiplyExact(rows, directions), hidden);
        long dot = Math.addExact(input, hidden);
        long macs = Math.multiplyExact(units, Math.multiplyExact(cell.gates, dot));
        long perUnit = Math.addExact(Math.multiplyExact(cell.gates, Math.addExact(dot, bias ? 2 : 0)), cell.pointwise + extra);
        return new Cost(macs, Math.multiplyExact(units, perUnit));
    }
}
