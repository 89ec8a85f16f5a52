package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recurrent aten ops of TorchScript code: {@code aten::lstm}, {@code aten::gru}, {@code aten::rnn_tanh},
 * {@code aten::rnn_relu} (a whole {@code nn.LSTM}, {@code nn.GRU} or {@code nn.RNN}, every layer and direction in
 * one call) and the cells {@code lstm_cell}, {@code gru_cell}, {@code rnn_tanh_cell}, {@code rnn_relu_cell}.
 * Each becomes one IR node ({@code LSTMLayers}, {@code GRUCell}, ...; rules in
 * {@link dev.tally.analysis.rules.RecurrentLayersRule} and {@link dev.tally.analysis.rules.RecurrentCellRule})
 * whose outputs are returned as the tuple the code unpacks ({@code y, h, c = torch.lstm(...)}).
 *
 * <p>{@code _pack_padded_sequence} and {@code _pad_packed_sequence} are PackPaddedSequence and PadPackedSequence, and the
 * packed-sequence overloads ({@code aten::lstm.data(data, batch_sizes, hx, params, ...)}, chosen by {@code nn.LSTM}
 * for a {@code PackedSequence}) the same IR ops with {@code packed = 1}: each row runs as many steps as its length, a
 * value, so the packed sizes are data-dependent and bounded by the padded length (docs/conventions.md, Recurrent ops).
 */
final class RecurrentOps implements OpFamily {
    private final GraphBuilder graph;

    RecurrentOps(GraphBuilder graph) {
        this.graph = graph;
    }

    /** The op's result, or {@link AtenOps#NOT_HANDLED} when {@code name} is not a recurrent op. */
    @Override
    public Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        return switch (name) {
            case "lstm" -> layers("LSTMLayers", name, args, keywords, site, 3);
            case "gru" -> layers("GRULayers", name, args, keywords, site, 2);
            case "rnn_tanh" -> layers("RNNTanhLayers", name, args, keywords, site, 2);
            case "rnn_relu" -> layers("RNNReluLayers", name, args, keywords, site, 2);
            case "lstm_cell" -> cell("LSTMCell", name, args, keywords, site, 2);
            case "gru_cell" -> cell("GRUCell", name, args, keywords, site, 1);
            case "rnn_tanh_cell" -> cell("RNNTanhCell", name, args, keywords, site, 1);
            case "rnn_relu_cell" -> cell("RNNReluCell", name, args, keywords, site, 1);
            case "_pack_padded_sequence" -> pack(name, args, keywords, site);
            case "_pad_packed_sequence" -> pad(name, args, keywords, site);
            default -> AtenOps.NOT_HANDLED;
        };
    }

    /**
     * {@code aten::lstm.input(Tensor input, Tensor[] hx, Tensor[] params, bool has_biases, int num_layers,
     * float dropout, bool train, bool bidirectional, bool batch_first)}; GRU and RNN take one {@code Tensor hx}.
     */
    private Object layers(String op, String name, List<Object> args, Map<String, Object> keywords, Site site, int outputs) {
        // The packed form has a tensor of batch sizes where the input form has hx (a list for LSTM) and params.
        boolean packed = outputs == 3 ? args.size() > 1 && args.get(1) instanceof TensorValue
                : args.size() > 2 && args.get(2) instanceof TensorValue;
        Map<String, Object> a = packed
                ? bind(name, args, keywords, "input", "batch_sizes", "hx", "params", "has_biases", "num_layers", "dropout", "train",
                        "bidirectional")
                : bind(name, args, keywords, "input", "hx", "params", "has_biases", "num_layers", "dropout", "train",
                        "bidirectional", "batch_first");
        List<TensorValue> inputs = new ArrayList<>();
        inputs.add(tensor(name, a, "input"));
        if (outputs == 3) {
            inputs.addAll(tensors(name, a, "hx"));
        } else {
            inputs.add(tensor(name, a, "hx"));
        }
        inputs.addAll(tensors(name, a, "params"));
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("has_biases", flag(name, a, "has_biases"));
        attributes.put("num_layers", new Attribute.Int(integer(name, a, "num_layers")));
        attributes.put("bidirectional", flag(name, a, "bidirectional"));
        if (packed) {
            // aten::lstm.data(data, batch_sizes, hx, params, ...): the rows of every step, no batch_first.
            attributes.put("packed", new Attribute.Int(1));
        } else {
            attributes.put("batch_first", flag(name, a, "batch_first"));
        }
        return emit(op, inputs, attributes, site, outputs);
    }

    /** {@code aten::lstm_cell(Tensor input, Tensor[] hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih, Tensor? b_hh)}; the others take one {@code Tensor hx}. */
    private Object cell(String op, String name, List<Object> args, Map<String, Object> keywords, Site site, int outputs) {
        Map<String, Object> a = bind(name, args, keywords, "input", "hx", "w_ih", "w_hh", "b_ih", "b_hh");
        List<TensorValue> inputs = new ArrayList<>();
        inputs.add(tensor(name, a, "input"));
        if (outputs == 2) {
            inputs.addAll(tensors(name, a, "hx"));
        } else {
            inputs.add(tensor(name, a, "hx"));
        }
        inputs.add(tensor(name, a, "w_ih"));
        inputs.add(tensor(name, a, "w_hh"));
        inputs.add(a.get("b_ih") == null ? null : tensor(name, a, "b_ih"));
        inputs.add(a.get("b_hh") == null ? null : tensor(name, a, "b_hh"));
        return emit(op, inputs, new LinkedHashMap<>(), site, outputs);
    }

    /** {@code _pack_padded_sequence(Tensor input, Tensor lengths, bool batch_first) -> (data, batch_sizes)}. */
    private Object pack(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        Map<String, Object> a = bind(name, args, keywords, "input", "lengths", "batch_first");
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("batch_first", flag(name, a, "batch_first"));
        return emit("PackPaddedSequence", List.of(tensor(name, a, "input"), tensor(name, a, "lengths")), attributes, site, 2);
    }

    /**
     * {@code _pad_packed_sequence(Tensor data, Tensor batch_sizes, bool batch_first, Scalar padding_value, int total_length)
     * -> (padded, lengths)}: a total_length above 0 sets the padded length; one known only by its bound (traced and
     * scripted code pass {@code batch_sizes.size(0)}, data-dependent) is an input, its value the bound.
     */
    private Object pad(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        Map<String, Object> a = bind(name, args, keywords, "data", "batch_sizes", "batch_first", "padding_value", "total_length");
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("batch_first", flag(name, a, "batch_first"));
        List<TensorValue> inputs = new ArrayList<>(List.of(tensor(name, a, "data"), tensor(name, a, "batch_sizes")));
        Object total = a.get("total_length");
        if (Values.isHeld(total)) {
            inputs.add(Values.held(total));
        } else if (total instanceof Long length && length > 0) {
            attributes.put("total_length", new Attribute.Int(length));
        } else if (total != null && !(total instanceof Long)) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("PadPackedSequence", inputs, attributes, site, 2);
    }

    private Object emit(String op, List<TensorValue> inputs, Map<String, Attribute> attributes, Site site, int outputs) {
        List<String> names = new ArrayList<>();
        for (TensorValue input : inputs) {
            names.add(input == null ? "" : input.name());
        }
        while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
            names.remove(names.size() - 1);
        }
        List<TensorValue> results = graph.emit(op, names, attributes, outputs, site.layer(), site.source());
        return outputs == 1 ? results.get(0) : new TupleValue(new ArrayList<>(results));
    }

    private static Map<String, Object> bind(String op, List<Object> args, Map<String, Object> keywords, String... names) {
        if (args.size() > names.length) {
            throw new Args.ArgumentError("'torch." + op + "' takes at most " + names.length + " arguments, but the code passes " + args.size());
        }
        Map<String, Object> bound = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            bound.put(names[i], args.get(i));
        }
        for (Map.Entry<String, Object> keyword : keywords.entrySet()) {
            if (!Arrays.asList(names).contains(keyword.getKey())) {
                throw new Args.ArgumentError("'torch." + op + "' has no argument '" + keyword.getKey() + "'");
            }
            bound.put(keyword.getKey(), keyword.getValue());
        }
        return bound;
    }

    private static TensorValue tensor(String op, Map<String, Object> a, String name) {
        if (a.get(name) instanceof TensorValue tensor) {
            return tensor;
        }
        throw new Args.ArgumentError("'torch." + op + "' needs a tensor for '" + name + "', but the code passes "
                + Interpreter.describe(a.get(name)));
    }

    private static List<TensorValue> tensors(String op, Map<String, Object> a, String name) {
        List<Object> items = AtenOps.items(a.get(name));
        List<TensorValue> result = new ArrayList<>();
        for (Object item : items == null ? List.of() : items) {
            if (item instanceof TensorValue tensor) {
                result.add(tensor);
            }
        }
        if (items == null || result.size() != items.size()) {
            throw new Args.ArgumentError("'torch." + op + "' needs a list of tensors for '" + name
                    + "', but the code passes " + Interpreter.describe(a.get(name)));
        }
        return result;
    }

    private static Attribute.Int flag(String op, Map<String, Object> a, String name) {
        Object value = a.get(name);
        if (value instanceof Boolean b) {
            return new Attribute.Int(b ? 1 : 0);
        }
        if (value instanceof Long l) {
            return new Attribute.Int(l != 0 ? 1 : 0);
        }
        throw new Args.ArgumentError("'torch." + op + "' needs a known bool for '" + name + "', but it is "
                + Interpreter.describe(value));
    }

    private static long integer(String op, Map<String, Object> a, String name) {
        if (a.get(name) instanceof Long l) {
            return l;
        }
        throw new Args.ArgumentError("'torch." + op + "' needs a known int for '" + name + "', but it is "
                + Interpreter.describe(a.get(name)));
    }
}
