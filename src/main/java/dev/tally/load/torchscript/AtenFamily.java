package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A family of aten ops with one table of op names to handlers; {@link AtenOps} sends an op to the one family whose
 * table names it. A handler that returns {@link AtenOps#NOT_HANDLED} leaves its op unsupported (listed, never zero).
 */
abstract class AtenFamily implements OpFamily {
    /** One op (or several spellings of one op: {@code name} says which was called). */
    @FunctionalInterface
    interface Handler {
        Object call(String name, List<Object> args, Map<String, Object> keywords, Site site);
    }

    final GraphBuilder graph;
    private final Map<String, Handler> table = new LinkedHashMap<>();

    AtenFamily(GraphBuilder graph) {
        this.graph = graph;
    }

    /** The family's table: op name (without the trailing {@code _} of an in-place call) to handler. */
    final Map<String, Handler> table() {
        return table;
    }

    @Override
    public final Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        Handler handler = table.get(name);
        return handler == null ? AtenOps.NOT_HANDLED : handler.call(name, args, keywords, site);
    }

    /** Puts {@code handler} under each of {@code names} in the family's table; a name given twice is a programming error. */
    final void put(Handler handler, String... names) {
        for (String name : names) {
            if (table.put(name, handler) != null) {
                throw new IllegalStateException("aten op '" + name + "' is in the table twice");
            }
        }
    }

    Args bind(String op, List<Object> args, Map<String, Object> keywords, String... names) {
        return new Args(graph, op, args, keywords, names);
    }

    TensorValue emit(String op, Site site, Map<String, Attribute> attributes, TensorValue... inputs) {
        List<String> names = new ArrayList<>();
        for (TensorValue input : inputs) {
            names.add(input == null ? "" : input.name());
        }
        while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
            names.remove(names.size() - 1);
        }
        return graph.emit(op, names, attributes, 1, site.layer(), site.source()).get(0);
    }

    /**
     * An int[] size argument as a 1-D int64 tensor: a constant when every item is a known int; with a
     * bounded int a graph value holds among them ({@link Values#isHeld}: a size read from data), the Concat of each item as a one-element tensor, as
     * torch.onnx writes a size computed at run time, data-dependent and at the bound. Unresolved when an item is neither.
     */
    TensorValue sizes(Args a, String name, Site site) {
        List<Object> items = AtenOps.items(a.get(name));
        if (items == null || items.stream().noneMatch(Values::isHeld)) {
            return graph.ints(toArray(a.ints(name, 1, null)));
        }
        List<TensorValue> parts = new ArrayList<>();
        boolean[] exact = new boolean[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item instanceof Long size) {
                parts.add(graph.ints(size));
                exact[i] = true;
            } else if (Values.isHeld(item)) {
                parts.add(emit("Reshape", site, attrs(), Values.held(item), graph.ints(1)));
            } else {
                throw a.unresolved(name, a.get(name));
            }
        }
        TensorValue sizes = emit("Concat", site, attrs("axis", new Attribute.Int(0)), parts.toArray(new TensorValue[0]));
        // The ints are the same in every run: what this size list makes is exact on their axes (ExactAxes).
        graph.markExactValues(sizes, exact);
        return sizes;
    }

    /**
     * The sizes of {@code tensor} as a 1-D int64 input of an op that makes a tensor of them ({@code zeros_like}): a
     * constant, or its Shape when they depend on the data, so that what is made is data-dependent in the graph too (a
     * constant would pass the bound for the size in every run).
     */
    TensorValue shapeOf(TensorValue tensor, Site site) {
        return graph.isSizeDependent(tensor) ? emit("Shape", site, attrs(), tensor) : graph.ints(tensor.info().shape().toArray());
    }

    static Map<String, Attribute> attrs(Object... pairs) {
        Map<String, Attribute> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Attribute) pairs[i + 1]);
        }
        return map;
    }

    static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
