package dev.tally.load;

import dev.tally.ir.Graph;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import dev.tally.ir.ValueIds;
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
        List<Node> nodes = graph.nodes();
        // Every name as a dense id, found once: the passes after the loader read the same ids (Graph.ids()).
        ValueIds ids = graph.ids();
        Producers producer = new Producers(ids);
        if (ids.conflictNode() >= 0) {
            Node node = nodes.get(ids.conflictNode());
            String output = node.outputs().get(ids.conflictOutput());
            int earlier = ids.producer(ids.output(ids.conflictNode(), ids.conflictOutput()));
            if (earlier >= 0) {
                throw new ModelException(file + ": " + node.describe() + ": output '" + output
                        + "' is already produced by " + nodes.get(earlier).describe()
                        + "; every value must have exactly one producer.");
            }
            throw new ModelException(file + ": " + node.describe() + ": output '" + output
                    + "' is also an initializer or graph input; every value must have exactly one producer.");
        }
        boolean inOrder = true;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            for (int k = 0; k < node.inputs().size(); k++) {
                int id = ids.input(i, k);
                if (id == ValueIds.OMITTED || ids.isGiven(id)) {
                    continue;
                }
                int from = ids.producer(id);
                if (from < 0) {
                    throw new ModelException(file + ": " + node.describe() + ": input '" + node.inputs().get(k)
                            + "' is produced by no node, initializer or graph input.");
                }
                inOrder &= from < i;
            }
        }
        for (Value output : graph.outputs()) {
            int id = ids.id(output.name());
            if (!ids.isGiven(id) && ids.producer(id) < 0) {
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

    /** Which node produces each value: the graph's {@link ValueIds}, read by name. */
    private record Producers(ValueIds ids) {
        /** The index of the node producing {@code value}; -1 when none does. */
        int of(String value) {
            return ids.producer(ids.id(value));
        }
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
