package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * IR ops LSTMLayers, GRULayers, RNNTanhLayers, RNNReluLayers: a whole PyTorch {@code nn.LSTM}/{@code nn.GRU}/
 * {@code nn.RNN} as TorchScript calls it ({@code aten::lstm(input, hx, params, has_biases, num_layers, dropout,
 * train, bidirectional, batch_first)}). Input {@code [seq, batch, input]} ({@code [batch, seq, input]} with
 * {@code batch_first}); weights in PyTorch's order, per layer and direction {@code w_ih [gates*hidden, in]},
 * {@code w_hh [gates*hidden, hidden]} and, with biases, {@code b_ih}, {@code b_hh}. Outputs: the last layer's
 * states {@code [seq, batch, dirs*hidden]} (batch first when asked), then {@code h_n} (and {@code c_n} for LSTM)
 * {@code [layers*dirs, batch, hidden]}. Cost: the sum over layers of the ONNX rule's per-layer cost, layer 0 reading
 * {@code input} features and later layers {@code dirs * hidden} (docs/conventions.md, Recurrent ops).
 *
 * <p>With {@code packed = 1}, the packed-sequence overload ({@code aten::lstm.data(data, batch_sizes, hx, params, ...)},
 * what {@code nn.LSTM} runs on a {@code PackedSequence}): the input is the packed {@code data [rows, input]}, every
 * step of every row one after the other, and the output {@code [rows, dirs*hidden]}; the batch is {@code h0}'s. A row
 * of length l costs l steps, so the cost is the rows' (the sum of the lengths, in place of {@code seq * batch}); the
 * batch sizes themselves add nothing and are not an input.
 */
public final class RecurrentLayersRule implements OpRule {
    private final Recurrence.Cell cell;

    private RecurrentLayersRule(Recurrence.Cell cell) {
        this.cell = cell;
    }

    public static RecurrentLayersRule lstm() {
        return new RecurrentLayersRule(Recurrence.Cell.LSTM);
    }

    public static RecurrentLayersRule gru() {
        return new RecurrentLayersRule(Recurrence.Cell.GRU);
    }

    public static RecurrentLayersRule rnnTanh() {
        return new RecurrentLayersRule(Recurrence.Cell.RNN_TANH);
    }

    public static RecurrentLayersRule rnnRelu() {
        return new RecurrentLayersRule(Recurrence.Cell.RNN_RELU);
    }

    @Override
    public List<String> inputs() {
        return cell == Recurrence.Cell.LSTM ? List.of("input", "h0", "c0", "weights...") : List.of("input", "h0", "weights...");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        Geometry g = geometry(ctx);
        TensorInfo x = ctx.input("input");
        List<TensorInfo> outputs = new ArrayList<>();
        long features = g.directions * g.hidden;
        outputs.add(x.withShape(g.packed ? Shape.of(g.rows, features)
                : g.batchFirst ? Shape.of(g.batch, g.seq, features) : Shape.of(g.seq, g.batch, features)));
        Shape state = Shape.of(g.layers * g.directions, g.batch, g.hidden);
        outputs.add(x.withShape(state));
        if (cell == Recurrence.Cell.LSTM) {
            outputs.add(x.withShape(state));
        }
        return outputs;
    }

    @Override
    public Cost cost(OpContext ctx) {
        Geometry g = geometry(ctx);
        Cost total = Cost.ZERO;
        for (int layer = 0; layer < g.layers; layer++) {
            long input = layer == 0 ? g.input : g.directions * g.hidden;
            total = total.plus(Recurrence.cost(cell, g.rows, g.directions, input, g.hidden, g.biases, 0));
        }
        return total;
    }

    /** {@code rows}: the steps of all batch rows, {@code seq * batch}, or the packed data's rows. */
    private record Geometry(long seq, long batch, long rows, long input, long hidden, long layers, long directions,
                            boolean biases, boolean batchFirst, boolean packed) {}

    private Geometry geometry(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        boolean packed = ctx.attrLong("packed", 0) != 0;
        if (x.rank() != (packed ? 2 : 3)) {
            throw ctx.fail("input 'input' has shape " + x.shape() + (packed ? ", expected rank 2 (packed rows, features)"
                    : ", expected rank 3 (sequence, batch, features)"));
        }
        long layers = ctx.attrLong("num_layers");
        long directions = ctx.attrLong("bidirectional", 0) != 0 ? 2 : 1;
        boolean biases = ctx.attrLong("has_biases", 1) != 0;
        boolean batchFirst = ctx.attrLong("batch_first", 0) != 0;
        List<TensorInfo> weights = ctx.variadic("weights");
        int perLayer = biases ? 4 : 2;
        if (layers < 1 || weights.size() != layers * directions * perLayer) {
            throw ctx.fail("it has " + weights.size() + " weight tensors, expected " + perLayer + " per layer and direction for "
                    + layers + " layers in " + directions + " directions (an LSTM with proj_size is not supported)");
        }
        long seq = packed ? x.shape().dim(0) : x.shape().dim(batchFirst ? 1 : 0);
        long batch = packed ? ctx.input("h0").shape().dim(-2) : x.shape().dim(batchFirst ? 0 : 1);
        long input = x.shape().dim(-1);
        long hidden = weights.get(1).shape().dim(-1);
        for (int layer = 0; layer < layers; layer++) {
            long in = layer == 0 ? input : directions * hidden;
            for (int d = 0; d < directions; d++) {
                int first = (int) ((layer * directions + d) * perLayer);
                expect(ctx, weights.get(first), Shape.of(cell.gates * hidden, in), "w_ih", layer);
                expect(ctx, weights.get(first + 1), Shape.of(cell.gates * hidden, hidden), "w_hh", layer);
                if (biases) {
                    expect(ctx, weights.get(first + 2), Shape.of(cell.gates * hidden), "b_ih", layer);
                    expect(ctx, weights.get(first + 3), Shape.of(cell.gates * hidden), "b_hh", layer);
                }
            }
        }
        Shape state = Shape.of(layers * directions, batch, hidden);
        for (String name : cell == Recurrence.Cell.LSTM ? List.of("h0", "c0") : List.of("h0")) {
            TensorInfo given = ctx.input(name);
            if (!given.shape().equals(state)) {
                throw ctx.fail("input '" + name + "' has shape " + given.shape() + ", expected " + state);
            }
        }
        long rows = packed ? seq : Math.multiplyExact(seq, batch);
        return new Geometry(seq, batch, rows, input, hidden, layers, directions, biases, batchFirst, packed);
    }

    private static void expect(OpContext ctx, TensorInfo weight, Shape expected, String what, int layer) {
        if (!weight.shape().equals(expected)) {
            throw ctx.fail("weight '" + what + "' of layer " + layer + " has shape " + weight.shape() + ", expected " + expected);
        }
    }
}
