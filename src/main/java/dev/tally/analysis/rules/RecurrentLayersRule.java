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
        outputs.add(x.withShape(g.batchFirst ? Shape.of(g.batch, g.seq, features) : Shape.of(g.seq, g.batch, features)));
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
        long rows = Math.multiplyExact(g.seq, g.batch);
        Cost total = Cost.ZERO;
        for (int layer = 0; layer < g.layers; layer++) {
            long input = layer == 0 ? g.input : g.directions * g.hidden;
            total = total.plus(Recurrence.cost(cell, rows, g.directions, input, g.hidden, g.biases, 0));
        }
        return total;
    }

    private record Geometry(long seq, long batch, long input, long hidden, long layers, long directions,
                            boolean biases, boolean batchFirst) {}

    private Geometry geometry(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (x.rank() != 3) {
            throw ctx.fail("input 'input' has shape " + x.shape() + ", expected rank 3 (sequence, batch, features)");
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
        long seq = x.shape().dim(batchFirst ? 1 : 0);
        long batch = x.shape().dim(batchFirst ? 0 : 1);
        long input = x.shape().dim(2);
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
        return new Geometry(seq, batch, input, hidden, layers, directions, biases, batchFirst);
    }

    private static void expect(OpContext ctx, TensorInfo weight, Shape expected, String what, int layer) {
        if (!weight.shape().equals(expected)) {
            throw ctx.fail("weight '" + what + "' of layer " + layer + " has shape " + weight.shape() + ", expected " + expected);
        }
    }
}
