package dev.tally.ir;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A dense id (0, 1, 2, ...) for every value name of one graph, and each node's inputs and outputs as those ids, found
 * once per graph ({@link Graph#ids()}) so that the loader's checks and the memory passes read arrays by position
 * instead of each hashing every name again: on issue 14's one-million-node chain each pass that built its own index of
 * names spent about half a second doing so.
 *
 * <p>Ids are given in this order: the graph's inputs, its stored tensors, its constants (the names given to the nodes),
 * then the names the nodes use in node order. An omitted (empty) input or output has id {@link #OMITTED}. Nothing here
 * is an error: a name used twice has one id, and the first output that is already produced or given is remembered for
 * {@code GraphChecks} to report.
 */
public final class ValueIds {
    /** The id of an omitted (empty) input or output name. */
    public static final int OMITTED = -1;

    private final NameIndex names;
    private final int given;
    private final int[] inputStart;
    private final int[] inputs;
    private final int[] outputStart;
    private final int[] outputs;
    /** By id: the first node that outputs the value; -1 when none does. */
    private final int[] producer;
    /** The first node output that names a value already produced or given, as node index and output position; -1. */
    private final int conflictNode;
    private final int conflictOutput;

    private ValueIds(List<Value> graphInputs, Collection<String> params, Collection<String> constants, int n,
                     IntFunction<List<String>> nodeInputs, IntFunction<List<String>> nodeOutputs) {
        inputStart = new int[n + 1];
        outputStart = new int[n + 1];
        for (int i = 0; i < n; i++) {
            inputStart[i + 1] = Math.addExact(inputStart[i], nodeInputs.apply(i).size());
            outputStart[i + 1] = Math.addExact(outputStart[i], nodeOutputs.apply(i).size());
        }
        long expected = (long) graphInputs.size() + params.size() + constants.size() + outputStart[n] + 16;
        names = new NameIndex((int) Math.min(1 << 29, expected));
        for (Value input : graphInputs) {
            names.add(input.name());
        }
        for (String param : params) {
            names.add(param);
        }
        for (String constant : constants) {
            names.add(constant);
        }
        given = names.size();
        inputs = new int[inputStart[n]];
        outputs = new int[outputStart[n]];
        // The names to add, in the order the nodes use them, all at once (NameIndex.addAll, far fewer cache misses
        // than one add each). Meanwhile inputs[] holds for each input OMITTED, -2 - p when it is the very string of
        // output p of the node before (no name to add), else the name's place in the list; outputs[] its place.
        String[] used = new String[Math.addExact(inputStart[n], outputStart[n])];
        int count = 0;
        for (int i = 0; i < n; i++) {
            List<String> in = nodeInputs.apply(i);
            for (int k = 0; k < in.size(); k++) {
                String name = in.get(k);
                int made = name.isEmpty() || i == 0 ? -1 : madeBy(nodeOutputs.apply(i - 1), i - 1, name);
                if (name.isEmpty()) {
                    inputs[inputStart[i] + k] = OMITTED;
                } else if (made >= 0) {
                    inputs[inputStart[i] + k] = -2 - made;
                } else {
                    inputs[inputStart[i] + k] = count;
                    used[count++] = name;
                }
            }
            List<String> out = nodeOutputs.apply(i);
            for (int k = 0; k < out.size(); k++) {
                String name = out.get(k);
                if (name.isEmpty()) {
                    outputs[outputStart[i] + k] = OMITTED;
                } else {
                    outputs[outputStart[i] + k] = count;
                    used[count++] = name;
                }
            }
        }
        int[] idOf = names.addAll(used, count);
        int[] producers = new int[Math.max(16, (int) Math.min(1 << 29, expected))];
        Arrays.fill(producers, -1);
        int firstConflictNode = -1;
        int firstConflictOutput = -1;
        for (int i = 0; i < n; i++) {
            for (int at = inputStart[i]; at < inputStart[i + 1]; at++) {
                int held = inputs[at];
                inputs[at] = held >= 0 ? idOf[held] : held == OMITTED ? OMITTED : outputs[-2 - held];
            }
            for (int k = 0; k < outputStart[i + 1] - outputStart[i]; k++) {
                int held = outputs[outputStart[i] + k];
                if (held == OMITTED) {
                    continue;
                }
                int id = idOf[held];
                outputs[outputStart[i] + k] = id;
                if (id >= producers.length) {
                    int length = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(producers.length * 2L, id + 1L));
                    int old = producers.length;
                    producers = Arrays.copyOf(producers, length);
                    Arrays.fill(producers, old, length, -1);
                }
                if (id < given || producers[id] >= 0) {
                    if (firstConflictNode < 0) {
                        firstConflictNode = i;
                        firstConflictOutput = k;
                    }
                } else {
                    producers[id] = i;
                }
            }
        }
        producer = producers;
        conflictNode = firstConflictNode;
        conflictOutput = firstConflictOutput;
    }

    /** The ids of {@code graph}'s values; {@link Graph#ids()} keeps them, so call that instead. */
    static ValueIds of(Graph graph) {
        List<Node> nodes = graph.nodes();
        return of(graph.inputs(), graph.params().keySet(), graph.constants().keySet(), nodes.size(),
                i -> nodes.get(i).inputs(), i -> nodes.get(i).outputs());
    }

    /**
     * The ids of the values of a graph yet to be made, from what it will hold: its inputs, the names of its stored
     * tensors and constants in its order, and each of its {@code nodes} nodes' input and output names (the very
     * strings its nodes will have). A loader finds them on a second thread while it makes the nodes, then gives them to
     * the {@link Graph} (its constructor with ids).
     */
    public static ValueIds of(List<Value> inputs, Collection<String> params, Collection<String> constants, int nodes,
                              IntFunction<List<String>> inputsOf, IntFunction<List<String>> outputsOf) {
        return new ValueIds(inputs, params, constants, nodes, inputsOf, outputsOf);
    }

    /**
     * Where among {@code outputs} node {@code i} has {@code name} when it is that very string among its outputs
     * ({@code made}), else -1: the ONNX reader gives a value's maker and a reader soon after one string
     * ({@code RawNode.recent}), and most values are read by the next node, so most inputs need no hashing.
     */
    private int madeBy(List<String> made, int i, String name) {
        for (int k = 0; k < made.size(); k++) {
            if (made.get(k) == name) {
                return outputStart[i] + k;
            }
        }
        return -1;
    }

    /** How many nodes the ids are of. */
    int nodeCount() {
        return inputStart.length - 1;
    }

    /** How many distinct names the graph uses. */
    public int size() {
        return names.size();
    }

    /** The id of {@code name}; -1 when the graph does not use it. */
    public int id(String name) {
        return names.id(name);
    }

    public String name(int id) {
        return names.name(id);
    }

    /** Whether the value is one the nodes are given: a graph input, a stored tensor or a constant. */
    public boolean isGiven(int id) {
        return id >= 0 && id < given;
    }

    /** The id of node {@code i}'s input {@code k}; {@link #OMITTED} when the input is omitted. */
    public int input(int i, int k) {
        return inputs[inputStart[i] + k];
    }

    /** The id of node {@code i}'s output {@code k}; {@link #OMITTED} when the output is omitted. */
    public int output(int i, int k) {
        return outputs[outputStart[i] + k];
    }

    /** The index of the first node that outputs value {@code id}; -1 when no node does. */
    public int producer(int id) {
        return id < 0 || id >= producer.length ? -1 : producer[id];
    }

    /** The first node, in node order, with an output that is already produced or given; -1 when there is none. */
    public int conflictNode() {
        return conflictNode;
    }

    /** That node's output position; -1 when there is no such node. */
    public int conflictOutput() {
        return conflictOutput;
    }
}
