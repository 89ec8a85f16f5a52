package dev.tally.analysis.fused;

import dev.tally.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GELU as torch.onnx writes it before opset 20: {@code Mul(x, Add(Erf(Div(x, sqrt 2)), 1))}, then a Mul by the constant 0.5.
 * PyTorch ran one {@code F.gelu}: one new tensor, and {@code GeluBackward0} keeps x only.
 * <ul>
 *   <li>Saved for backward: taken apart, Erf would keep x / sqrt 2 and the Mul would keep {@code erf + 1} too; the
 *       parts' rules are the table's {@code Gelu/Erf} (nothing) and {@code Gelu/Mul} (x, its first input) lines
 *       ({@link #parts}).</li>
 *   <li>Inference memory: the five nodes are one {@link Fusion} ({@link #find}), one tensor of x's size where the
 *       export makes five.</li>
 * </ul>
 * A pattern in another order is left to the plain rules.
 */
public final class ExportedGelu implements ExportedOp {
    /** The nodes of one exported GELU: {@code half} the Mul by the constant after the product, else -1. */
    public record Chain(int div, int erf, int add, int mul, int half) {
    }

    /** Node index -> the table key of its part ({@code Gelu/Erf}, {@code Gelu/Mul}), for every exported GELU found. */
    public static Map<Integer, String> parts(List<Node> nodes) {
        return parts(Dataflow.of(nodes));
    }

    /**
     * {@link #parts(List)} from a dataflow the caller already holds (the memory pass' slots), so that no map of every
     * value is made again: give it {@link Dataflow#of(List)}'s answers.
     */
    public static Map<Integer, String> parts(Dataflow graph) {
        Map<Integer, String> parts = new HashMap<>();
        for (Chain chain : chains(graph)) {
            parts.put(chain.erf(), "Gelu/Erf");
            parts.put(chain.mul(), "Gelu/Mul");
        }
        return parts;
    }

    /** Every exported GELU of the graph, in order of its product. */
    public static List<Chain> chains(Dataflow graph) {
        List<Node> nodes = graph.nodes();
        List<Chain> chains = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            Node mul = nodes.get(k);
            if (!mul.opType().equals("Mul") || mul.inputs().size() != 2) {
                continue;
            }
            String x = mul.inputs().get(0);
            int add = node(graph, mul.inputs().get(1), "Add");
            int erf = add < 0 ? -1 : node(graph, nodes.get(add).inputs().get(0), "Erf");
            int div = erf < 0 ? -1 : node(graph, nodes.get(erf).inputs().get(0), "Div");
            if (div >= 0 && nodes.get(div).inputs().get(0).equals(x) && graph.readers(nodes.get(erf).outputs().get(0)) == 1
                    && graph.readers(nodes.get(add).outputs().get(0)) == 1) {
                chains.add(new Chain(div, erf, add, k, half(graph, k)));
            }
        }
        return chains;
    }

    /**
     * The Mul by a scalar of a Constant node (torch.onnx writes the 0.5 so) that is the only reader of the product
     * {@code mul} makes; -1 when none.
     */
    private static int half(Dataflow graph, int mul) {
        String product = graph.nodes().get(mul).outputs().get(0);
        if (graph.readers(product) != 1) {
            return -1;
        }
        List<Node> nodes = graph.nodes();
        for (int k = mul + 1; k < nodes.size(); k++) {
            Node next = nodes.get(k);
            int side = next.inputs().indexOf(product);
            if (side < 0) {
                continue;
            }
            if (!next.opType().equals("Mul") || next.inputs().size() != 2) {
                return -1;
            }
            String factor = next.inputs().get(1 - side);
            int made = graph.producer(factor);
            return made >= 0 && nodes.get(made).opType().equals("Constant") && graph.rank(factor) <= 0 ? k : -1;
        }
        return -1;
    }

    /**
     * As one op: the Div stands for {@code F.gelu} (x is live there, as it is while gelu runs), the Erf, the Add, the
     * product and the halving write into its tensor. Only where the Div's result has no other reader.
     */
    @Override
    public List<Fusion> find(Dataflow graph) {
        List<Fusion> found = new ArrayList<>();
        for (Chain chain : chains(graph)) {
            if (graph.readers(graph.nodes().get(chain.div()).outputs().get(0)) != 1) {
                continue;
            }
            List<Integer> nodes = chain.half() < 0 ? List.of(chain.div(), chain.erf(), chain.add(), chain.mul())
                    : List.of(chain.div(), chain.erf(), chain.add(), chain.mul(), chain.half());
            found.add(new Fusion("gelu", nodes, -1, -1));
        }
        return found;
    }

    private static int node(Dataflow graph, String value, String opType) {
        int k = graph.producer(value);
        return k >= 0 && graph.nodes().get(k).opType().equals(opType) && !graph.nodes().get(k).inputs().isEmpty() ? k : -1;
    }
}
