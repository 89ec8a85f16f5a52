package dev.tally.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's computation: inputs, nodes in topological order, outputs, and the stored tensors nodes read.
 *
 * <p>A class rather than a record (the other IR types are records) so that it can keep what it costs to find once
 * per graph: its {@link #ids() value ids}. Graphs are compared by identity.
 */
public final class Graph {
    private final String name;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final List<Node> nodes;
    private final Map<String, Param> params;
    private final Map<String, ConstTensor> constants;
    private volatile ValueIds ids;

    /**
     * @param params    stored tensors by the value name nodes use; counted once each, however many nodes read them
     * @param constants small tensors whose values are known (integer initializers, folded shape constants)
     */
    public Graph(String name, List<Value> inputs, List<Value> outputs, List<Node> nodes,
                 Map<String, Param> params, Map<String, ConstTensor> constants) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
    }

    /**
     * A graph whose value ids were found while its nodes were made ({@code ids}: {@link ValueIds#of(List,
     * java.util.Collection, java.util.Collection, int, java.util.function.IntFunction,
     * java.util.function.IntFunction)} of these inputs, the names of these params and
     * constants, and these nodes' input and output names), so {@link #ids()} need not find them again: the ONNX loader
     * finds them on a second thread for a graph of a million nodes.
     */
    public Graph(String name, List<Value> inputs, List<Value> outputs, List<Node> nodes,
                 Map<String, Param> params, Map<String, ConstTensor> constants, ValueIds ids) {
        this(name, inputs, outputs, nodes, params, constants);
        if (ids.nodeCount() != this.nodes.size()) {
            throw new IllegalArgumentException("Value ids of " + ids.nodeCount() + " nodes given to a graph of "
                    + this.nodes.size() + ".");
        }
        this.ids = ids;
    }

    public String name() {
        return name;
    }

    public List<Value> inputs() {
        return inputs;
    }

    public List<Value> outputs() {
        return outputs;
    }

    /** The nodes in topological order. */
    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Param> params() {
        return params;
    }

    public Map<String, ConstTensor> constants() {
        return constants;
    }

    public Optional<Param> param(String valueName) {
        return Optional.ofNullable(params.get(valueName));
    }

    public Optional<ConstTensor> constant(String valueName) {
        return Optional.ofNullable(constants.get(valueName));
    }

    /** The graph's value names as dense ids, with each node's inputs and outputs as ids; found at the first call. */
    public ValueIds ids() {
        ValueIds found = ids;
        if (found == null) {
            found = ValueIds.of(this);
            ids = found; // two threads may both find them: the same ids, one kept
        }
        return found;
    }

    /** As the record it was printed: every component. */
    @Override
    public String toString() {
        return "Graph[name=" + name + ", inputs=" + inputs + ", outputs=" + outputs + ", nodes=" + nodes + ", params="
                + params + ", constants=" + constants + "]";
    }
}
