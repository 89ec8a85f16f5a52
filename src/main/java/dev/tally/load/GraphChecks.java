package dev.tally.load;

import dev.tally.ir.Graph;
import dev.tally.ir.ModelException;
import dev.tally.ir.NameIndex;
import dev.tally.ir.Node;
import dev.tally.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The structural checks every loader runs on the graph it built, so the passes can rely on them: each value
 * has one producer, every node input is produced by a node, a stored tensor or a graph input, the graph
 * outputs are produced, and nodes are in topological order (a file out of order is sorted; a cycle is an
 * error naming the nodes on it).
 *
 * <p>Values that subgraphs (If and Loop bodies) read from the enclosing graph are not seen here: only the
 * top-level graph is checked.
 */
public final class GraphChecks {
    private GraphChecks() {
    }

    /**
     * Checks {@code graph} and returns it with its nodes in topological order: the same graph when the file
     * was already in order, else the nodes sorted, keeping the file's order among independent nodes.
     *
     * @param file the file name messages start with
     */
    public static Graph verify(String file, Graph graph) {
        Set<String> given = new HashSet<>();
        for (Value input : graph.inputs()) {
            given.add(input.name());
        }
        given.addAll(graph.params().keySet());
        given.addAll(graph.constants().keySet());

        List<Node> nodes = graph.nodes();
        Producers producer = producers(file, nodes, given);
        boolean inOrder = true;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            for (String input : node.inputs()) {
                if (input.isEmpty() || i > 0 && isOutputOf(nodes.get(i - 1), input) || given.contains(input)) {
                    continue; // made by the node before: in order (and not given, which producers() rules out)
                }
                int from = producer.of(input);
                if (from < 0) {
                    throw new ModelException(file + ": " + node.describe() + ": input '" + input
                            + "' is produced by no node, initializer or graph input.");
                }
                inOrder &= from < i;
            }
        }
        for (Value output : graph.outputs()) {
            if (!given.contains(output.name()) && producer.of(output.name()) < 0) {
                throw new ModelException(file + ": graph output '" + output.name()
                        + "' is produced by no node, initializer or graph input.");
            }
        }
        if (inOrder) {
            return graph;
        }
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), sorted(file, nodes, producer),
                graph.params(), graph.constants());
    }

    /**
     * Whether {@code value} is that very string among {@code node}'s outputs: the ONNX reader gives a value's maker and
     * a reader soon after one string ({@code RawNode.recent}), so most inputs are found made by the node before without
     * hashing (a million lookups on issue 14's million-node chain). An equal string elsewhere is looked up as before.
     */
    private static boolean isOutputOf(Node node, String value) {
        for (String output : node.outputs()) {
            if (output == value) {
                return true;
            }
        }
        return false;
    }

    /**
     * Which node produces each value, by the value's id in a {@link NameIndex}: a million-node graph's map of boxed
     * indices was about 56 MB, these arrays 16.
     */
    private static final class Producers {
        private final NameIndex values;
        private int[] node;

        Producers(int expected) {
            values = new NameIndex(expected);
            node = new int[Math.max(4, expected)];
        }

        /** The index of the node producing {@code value}; -1 when none does. */
        int of(String value) {
            int id = values.id(value);
            return id < 0 ? -1 : node[id];
        }

        /** Records {@code index} as the producer of {@code value}; returns the earlier producer, or -1. */
        int putIfAbsent(String value, int index) {
            int known = values.size();
            int id = values.add(value);
            if (values.size() == known) {
                return node[id];
            }
            if (id == node.length) {
                node = java.util.Arrays.copyOf(node, (int) Math.min(Integer.MAX_VALUE - 8, node.length * 2L));
            }
            node[id] = index;
            return -1;
        }
    }

    /** Which node produces each value; a value produced twice (or also given) is an error. */
    private static Producers producers(String file, List<Node> nodes, Set<String> given) {
        Producers producer = new Producers(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            for (String output : node.outputs()) {
                if (output.isEmpty()) {
                    continue;
                }
                int earlier = producer.putIfAbsent(output, i);
                if (earlier >= 0) {
                    throw new ModelException(file + ": " + node.describe() + ": output '" + output
                            + "' is already produced by " + nodes.get(earlier).describe()
                            + "; every value must have exactly one producer.");
                }
                if (given.contains(output)) {
                    throw new ModelException(file + ": " + node.describe() + ": output '" + output
                            + "' is also an initializer or graph input; every value must have exactly one producer.");
                }
            }
        }
        return producer;
    }

    /** Kahn's algorithm, always taking the earliest ready node in file order, so the result is deterministic. */
    private static List<Node> sorted(String file, List<Node> nodes, Producers producer) {
        int n = nodes.size();
        int[] pending = new int[n];
        List<List<Integer>> consumers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            consumers.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int from : predecessors(nodes.get(i), producer)) {
                pending[i]++;
                consumers.get(from).add(i);
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> order = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(nodes.get(i));
            for (int next : consumers.get(i)) {
                if (--pending[next] == 0) {
                    ready.add(next);
                }
            }
        }
        if (order.size() < n) {
            throw new ModelException(file + ": the graph has a cycle: " + describeCycle(nodes, producer, pending)
                    + "; a node cannot depend on its own output.");
        }
        return order;
    }

    /** The distinct nodes whose outputs {@code node} reads (one edge per producer, however many inputs). */
    private static Set<Integer> predecessors(Node node, Producers producer) {
        Set<Integer> from = new HashSet<>();
        for (String input : node.inputs()) {
            int p = input.isEmpty() ? -1 : producer.of(input);
            if (p >= 0) {
                from.add(p);
            }
        }
        return from;
    }

    /**
     * One cycle among the nodes Kahn's algorithm could not place, as {@code 'a' (Add) -> 'b' (Mul) -> 'a'}:
     * walking from any unplaced node to an unplaced producer must come back to a node already visited.
     */
    private static String describeCycle(List<Node> nodes, Producers producer, int[] pending) {
        int start = 0;
        while (pending[start] == 0) {
            start++;
        }
        List<Integer> walk = new ArrayList<>();
        Map<Integer, Integer> seenAt = new HashMap<>();
        int current = start;
        while (!seenAt.containsKey(current)) {
            seenAt.put(current, walk.size());
            walk.add(current);
            int next = -1;
            for (int p : predecessors(nodes.get(current), producer)) {
                if (pending[p] > 0) {
                    next = p;
                    break;
                }
            }
            current = next;
        }
        List<Integer> cycle = new ArrayList<>(walk.subList(seenAt.get(current), walk.size()));
        java.util.Collections.reverse(cycle);
        // Start at the node that comes first in the file, so the message does not depend on where the walk began.
        int first = cycle.indexOf(java.util.Collections.min(cycle));
        java.util.Collections.rotate(cycle, -first);
        StringBuilder text = new StringBuilder();
        for (int i : cycle) {
            Node node = nodes.get(i);
            text.append('\'').append(node.name()).append("' (").append(node.opType()).append(") -> ");
        }
        return text.append('\'').append(nodes.get(cycle.get(0)).name()).append('\'').toString();
    }
}
