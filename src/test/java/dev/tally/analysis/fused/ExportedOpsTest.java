package dev.tally.analysis.fused;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ir.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The patterns of ops an exporter took apart, on graphs written node by node as torch.onnx writes them. */
class ExportedOpsTest {
    private static Node node(String op, List<String> inputs, String output) {
        return new Node(output, op, inputs, List.of(output), Map.of(), "");
    }

    /** The nodes' dataflow, {@code weights} stored tensors, {@code ranks} what the shape pass would give. */
    private static Dataflow graph(List<Node> nodes, Set<String> weights, Map<String, Integer> ranks) {
        Dataflow plain = Dataflow.of(nodes, weights);
        return new Dataflow() {
            @Override
            public List<Node> nodes() {
                return nodes;
            }

            @Override
            public int producer(String value) {
                return plain.producer(value);
            }

            @Override
            public int readers(String value) {
                return plain.readers(value);
            }

            @Override
            public boolean isWeight(String value) {
                return plain.isWeight(value);
            }

            @Override
            public int rank(String value) {
                return ranks.getOrDefault(value, -1);
            }
        };
    }

    @Test
    void siluIsSigmoidAndMulOfTheSameTensorAndMayRunInPlace() {
        List<Node> nodes = List.of(node("Conv", List.of("in", "w"), "x"), node("Sigmoid", List.of("x"), "s"),
                node("Mul", List.of("x", "s"), "y"));
        Map<Integer, Fusion.Part> parts = ExportedOps.parts(graph(nodes, Set.of("w"), Map.of()));
        Fusion silu = new Fusion("silu_", List.of(1, 2), 0, -1);
        assertThat(parts).isEqualTo(Map.of(1, new Fusion.Part(silu, 0), 2, new Fusion.Part(silu, 1)));
        // The Mul in the other order of its inputs is the same op.
        assertThat(new ExportedSilu().find(graph(List.of(nodes.get(1), node("Mul", List.of("s", "x"), "y")), Set.of(), Map.of())))
                .containsExactly(new Fusion("silu_", List.of(0, 1), 0, -1));
        // A gate of another tensor (squeeze-and-excitation: input * sigmoid(fc2(...))) is no SiLU.
        assertThat(new ExportedSilu().find(graph(List.of(nodes.get(1), node("Mul", List.of("z", "s"), "y")), Set.of(), Map.of())))
                .isEmpty();
        // A sigmoid read elsewhere too is a tensor of its own.
        assertThat(new ExportedSilu().find(graph(List.of(nodes.get(1), nodes.get(2), node("Add", List.of("s", "y"), "z")),
                Set.of(), Map.of()))).isEmpty();
    }

    @Test
    void geluIsTheErfChainWithItsHalving() {
        List<Node> nodes = List.of(node("Div", List.of("x", "c"), "d"), node("Erf", List.of("d"), "e"),
                node("Add", List.of("e", "one"), "a"), node("Mul", List.of("x", "a"), "m"),
                node("Constant", List.of(), "half"), node("Mul", List.of("m", "half"), "y"));
        Map<String, Integer> ranks = Map.of("half", 0);
        assertThat(new ExportedGelu().find(graph(nodes, Set.of(), ranks)))
                .containsExactly(new Fusion("gelu", List.of(0, 1, 2, 3, 5), -1, -1));
        // Without the halving (the product read twice) the op ends at the product.
        List<Node> twice = new java.util.ArrayList<>(nodes);
        twice.add(node("Add", List.of("m", "m"), "z"));
        assertThat(new ExportedGelu().find(graph(twice, Set.of(), ranks)))
                .containsExactly(new Fusion("gelu", List.of(0, 1, 2, 3), -1, -1));
        // A product scaled by an activation is not the halving.
        List<Node> scaled = new java.util.ArrayList<>(nodes.subList(0, 4));
        scaled.add(node("Mul", List.of("m", "x"), "y"));
        assertThat(new ExportedGelu().find(graph(scaled, Set.of(), Map.of())))
                .containsExactly(new Fusion("gelu", List.of(0, 1, 2, 3), -1, -1));
    }

    @Test
    void linearWithABiasIsOneCallOnA3dInputOnly() {
        List<Node> nodes = List.of(node("MatMul", List.of("x", "w"), "p"), node("Add", List.of("b", "p"), "y"));
        Map<String, Integer> ranks = new HashMap<>(Map.of("x", 3, "b", 1));
        assertThat(new ExportedLinear().find(graph(nodes, Set.of("w", "b"), ranks)))
                .containsExactly(new Fusion("linear", List.of(0, 1), -1, 0));
        // torch 1.13 runs a 4-D input (ConvNeXt's [N, H, W, C]) as matmul then an out-of-place add: two tensors.
        ranks.put("x", 4);
        assertThat(new ExportedLinear().find(graph(nodes, Set.of("w", "b"), ranks))).isEmpty();
        // A product of two activations (attention's q @ k) plus a weight is no linear.
        ranks.put("x", 3);
        assertThat(new ExportedLinear().find(graph(nodes, Set.of("b"), ranks))).isEmpty();
    }
}
