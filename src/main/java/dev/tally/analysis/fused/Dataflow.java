package dev.tally.analysis.fused;

import dev.tally.ir.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a pattern reads of a graph: its nodes in order, who makes each value and how many read it. */
public interface Dataflow {
    /** The nodes, in the graph's order. */
    List<Node> nodes();

    /** The index of the node that makes {@code value}; -1 for a model input, a weight or a constant. */
    int producer(String value);

    /** How many node inputs read {@code value} (a node reading it twice counts twice), plus one for a model output. */
    int readers(String value);

    /** Whether {@code value} is a stored tensor of the model (a weight or a buffer), not an activation. */
    boolean isWeight(String value);

    /** The rank the shape pass gave {@code value}; -1 when unknown. */
    int rank(String value);

    /** A dataflow found from the nodes alone: no weights, no ranks, no model outputs. */
    static Dataflow of(List<Node> nodes) {
        return of(nodes, Set.of());
    }

    /** A dataflow found from the nodes, {@code weights} the names of the model's stored tensors; no ranks. */
    static Dataflow of(List<Node> nodes, Set<String> weights) {
        Map<String, Integer> producer = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            for (String output : nodes.get(k).outputs()) {
                producer.put(output, k);
            }
            for (String input : nodes.get(k).inputs()) {
                readers.merge(input, 1, Integer::sum);
            }
        }
        return new Dataflow() {
            @Override
            public List<Node> nodes() {
                return nodes;
            }

            @Override
            public int producer(String value) {
                return producer.getOrDefault(value, -1);
            }

            @Override
            public int readers(String value) {
                return readers.getOrDefault(value, 0);
            }

            @Override
            public boolean isWeight(String value) {
                return weights.contains(value);
            }

            @Override
            public int rank(String value) {
                return -1;
            }
        };
    }
}
