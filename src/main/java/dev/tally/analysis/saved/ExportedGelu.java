package dev.tally.analysis.saved;

import dev.tally.ir.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GELU as torch.onnx writes it before opset 20: {@code Mul(x, Add(Erf(Div(x, sqrt 2)), 1))} (then a Mul by 0.5).
 * PyTorch's {@code GeluBackward0} keeps x only; taken apart, Erf would keep x / sqrt 2 and the Mul would keep
 * {@code erf + 1} too. This finds those parts so that their rules are the table's {@code Gelu/Erf} (nothing) and
 * {@code Gelu/Mul} (x, its first input) lines; a pattern in another order is left to the plain rules.
 */
public final class ExportedGelu {
    private ExportedGelu() {
    }

    /** Node index -> the table key of its part ({@code Gelu/Erf}, {@code Gelu/Mul}), for every exported GELU found. */
    public static Map<Integer, String> parts(List<Node> nodes) {
        Map<String, Integer> producer = new HashMap<>();
        Map<String, Integer> uses = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            for (String output : nodes.get(k).outputs()) {
                producer.put(output, k);
            }
            for (String input : nodes.get(k).inputs()) {
                uses.merge(input, 1, Integer::sum);
            }
        }
        Map<Integer, String> parts = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            Node mul = nodes.get(k);
            if (!mul.opType().equals("Mul") || mul.inputs().size() != 2) {
                continue;
            }
            String x = mul.inputs().get(0);
            Node add = node(nodes, producer, mul.inputs().get(1), "Add");
            Node erf = add == null ? null : node(nodes, producer, add.inputs().get(0), "Erf");
            Node div = erf == null ? null : node(nodes, producer, erf.inputs().get(0), "Div");
            if (div != null && div.inputs().get(0).equals(x) && uses.getOrDefault(erf.outputs().get(0), 0) == 1
                    && uses.getOrDefault(add.outputs().get(0), 0) == 1) {
                parts.put(producer.get(erf.outputs().get(0)), "Gelu/Erf");
                parts.put(k, "Gelu/Mul");
            }
        }
        return parts;
    }

    /** Where a graph's values come from and how often they are read, by node and position. */
    public interface Wiring {
        /**
         * The last node listing node {@code node}'s input {@code k} as an output; -1 when none does. Like the output
         * methods, a position past the node's list is an {@link IndexOutOfBoundsException}, as {@code get(k)} is.
         */
        int producerOfInput(int node, int k);

        /** The last node listing node {@code node}'s output {@code k} as an output; -1 when none does. */
        int producerOfOutput(int node, int k);

        /** How many node inputs (over all nodes, repeats included) name node {@code node}'s output {@code k}. */
        int readsOfOutput(int node, int k);
    }

    /**
     * {@link #parts(List)} from a wiring the caller already holds (the memory pass' slots), so no map of every value
     * is made again: the same answer, found by position.
     */
    public static Map<Integer, String> parts(List<Node> nodes, Wiring wiring) {
        Map<Integer, String> parts = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            Node mul = nodes.get(k);
            if (!mul.opType().equals("Mul") || mul.inputs().size() != 2) {
                continue;
            }
            String x = mul.inputs().get(0);
            int a = node(nodes, wiring.producerOfInput(k, 1), "Add");
            int e = a < 0 ? -1 : node(nodes, wiring.producerOfInput(a, 0), "Erf");
            int d = e < 0 ? -1 : node(nodes, wiring.producerOfInput(e, 0), "Div");
            if (d >= 0 && nodes.get(d).inputs().get(0).equals(x) && wiring.readsOfOutput(e, 0) == 1
                    && wiring.readsOfOutput(a, 0) == 1) {
                parts.put(wiring.producerOfOutput(e, 0), "Gelu/Erf");
                parts.put(k, "Gelu/Mul");
            }
        }
        return parts;
    }

    private static int node(List<Node> nodes, int k, String opType) {
        return k >= 0 && nodes.get(k).opType().equals(opType) && !nodes.get(k).inputs().isEmpty() ? k : -1;
    }

    private static Node node(List<Node> nodes, Map<String, Integer> producer, String value, String opType) {
        Integer k = producer.get(value);
        return k != null && nodes.get(k).opType().equals(opType) && !nodes.get(k).inputs().isEmpty() ? nodes.get(k) : null;
    }
}
