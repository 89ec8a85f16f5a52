package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shape and cost rules of ONNX's LSTM, GRU and RNN, which differ only in their gate count, their cell update
 * and their state outputs. X is {@code [seq, batch, input]} ({@code layout = 0}) or {@code [batch, seq, input]}
 * ({@code layout = 1}); W is {@code [dirs, gates*hidden, input]}, R {@code [dirs, gates*hidden, hidden]}, B
 * {@code [dirs, 2*gates*hidden]}. Y is {@code [seq, dirs, batch, hidden]} (layout 1: {@code [batch, seq, dirs,
 * hidden]}); each state output is {@code [dirs, batch, hidden]} (layout 1: {@code [batch, dirs, hidden]}).
 */
final class OnnxRecurrent {
    private OnnxRecurrent() {
    }

    /** What the node's inputs and attributes say about its geometry. */
    record Geometry(long seq, long batch, long input, long hidden, long directions, boolean batchMajor) {}

    static Geometry geometry(OpContext ctx, Recurrence.Cell cell) {
        TensorInfo x = ctx.input("X");
        Shape w = ctx.input("W").shape();
        Shape r = ctx.input("R").shape();
        if (x.rank() != 3) {
            throw ctx.fail("input 'X' has shape " + x.shape() + ", expected rank 3 (sequence, batch, input)");
        }
        long layout = ctx.attrLong("layout", 0);
        if (layout != 0 && layout != 1) {
            throw ctx.fail("attribute 'layout' is " + layout + ", expected 0 or 1");
        }
        String direction = ctx.attrString("direction", "forward");
        long directions = switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw ctx.fail("attribute 'direction' is '" + direction + "', expected forward, reverse or bidirectional");
        };
        long hidden = ctx.hasAttribute("hidden_size") ? ctx.attrLong("hidden_size") : r.rank() == 3 ? r.dim(2) : -1;
        long gates = cell.gates;
        long seq = x.shape().dim(layout == 0 ? 0 : 1);
        long batch = x.shape().dim(layout == 0 ? 1 : 0);
        long input = x.shape().dim(2);
        if (!w.equals(Shape.of(directions, gates * hidden, input))) {
            throw ctx.fail("input 'W' has shape " + w + ", expected " + Shape.of(directions, gates * hidden, input)
                    + " (directions, " + gates + " gates x hidden_size, input size)");
        }
        if (!r.equals(Shape.of(directions, gates * hidden, hidden))) {
            throw ctx.fail("input 'R' has shape " + r + ", expected " + Shape.of(directions, gates * hidden, hidden));
        }
        ctx.optionalInput("B").ifPresent(b -> {
            if (!b.shape().equals(Shape.of(directions, 2 * gates * hidden))) {
                throw ctx.fail("input 'B' has shape " + b.shape() + ", expected " + Shape.of(directions, 2 * gates * hidden));
            }
        });
        ctx.optionalInput("sequence_lens").ifPresent(lens -> {
            if (!lens.shape().equals(Shape.of(batch))) {
                throw ctx.fail("input 'sequence_lens' has shape " + lens.shape() + ", expected " + Shape.of(batch));
            }
        });
        Shape state = layout == 0 ? Shape.of(directions, batch, hidden) : Shape.of(batch, directions, hidden);
        for (String name : cell == Recurrence.Cell.LSTM ? List.of("initial_h", "initial_c") : List.of("initial_h")) {
            Optional<TensorInfo> given = ctx.optionalInput(name);
            if (given.isPresent() && !given.get().shape().equals(state)) {
                throw ctx.fail("input '" + name + "' has shape " + given.get().shape() + ", expected " + state);
            }
        }
        return new Geometry(seq, batch, input, hidden, directions, layout == 1);
    }

    /** Y, then {@code states} state outputs (Y_h, and Y_c for LSTM). */
    static List<TensorInfo> outputs(OpContext ctx, Geometry g, int states) {
        TensorInfo x = ctx.input("X");
        List<TensorInfo> outputs = new ArrayList<>();
        outputs.add(x.withShape(g.batchMajor() ? Shape.of(g.batch(), g.seq(), g.directions(), g.hidden())
                : Shape.of(g.seq(), g.directions(), g.batch(), g.hidden())));
        Shape state = g.batchMajor() ? Shape.of(g.batch(), g.directions(), g.hidden())
                : Shape.of(g.directions(), g.batch(), g.hidden());
        for (int i = 0; i < states; i++) {
            outputs.add(x.withShape(state));
        }
        return outputs;
    }

    /**
     * The cost over the steps actually run: with {@code sequence_lens} known, row b runs {@code min(len_b, seq)}
     * steps; without it every row runs the whole sequence (when its values are not known, the whole sequence is the
     * bound the count gives).
     */
    static Cost cost(OpContext ctx, Recurrence.Cell cell, long extra) {
        Geometry g = geometry(ctx, cell);
        long rows = Math.multiplyExact(g.seq(), g.batch());
        Optional<TensorInfo> lens = ctx.optionalInput("sequence_lens");
        if (lens.isPresent() && lens.get().data().isPresent()) {
            ConstData data = lens.get().data().get();
            rows = 0;
            for (int i = 0; i < data.size(); i++) {
                rows = Math.addExact(rows, Math.max(0, Math.min(data.longAt(i), g.seq())));
            }
        }
        return Recurrence.cost(cell, rows, g.directions(), g.input(), g.hidden(), ctx.optionalInput("B").isPresent(), extra);
    }
}
