package dev.tally.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Graph;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.Value;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GraphChecksTest {
    private static Node node(String name, String op, List<String> inputs, String... outputs) {
        return new Node(name, op, inputs, List.of(outputs), Map.of(), name);
    }

    private static Graph graph(List<String> outputs, Node... nodes) {
        return new Graph("g", List.of(new Value("x", Optional.empty())),
                outputs.stream().map(o -> new Value(o, Optional.empty())).toList(), List.of(nodes),
                Map.of("w", new Param("w", Shape.of(4, 4), DType.FLOAT32, Role.PARAM)),
                Map.of("shape", new ConstTensor(DType.INT64, Shape.of(2), ConstData.ofInts(1, 16))));
    }

    @Test
    void aGraphInOrderIsReturnedAsItIs() {
        Graph graph = graph(List.of("y"),
                node("mm", "MatMul", List.of("x", "w"), "a"),
                node("reshape", "Reshape", List.of("a", "shape"), "b"),
                node("relu", "Relu", List.of("b"), "y"));
        assertThat(GraphChecks.verify("g.onnx", graph)).isSameAs(graph);
    }

    @Test
    void nodesOutOfOrderAreSortedKeepingFileOrderAmongIndependentNodes() {
        Graph graph = graph(List.of("y", "z"),
                node("relu", "Relu", List.of("a"), "y"),
                node("sig", "Sigmoid", List.of("x"), "z"),
                node("mm", "MatMul", List.of("x", "w"), "a"));
        assertThat(GraphChecks.verify("g.onnx", graph).nodes()).extracting(Node::name)
                .containsExactly("sig", "mm", "relu");
    }

    @Test
    void aValueReadThroughTheMakersOwnStringIsFoundAsThroughAnEqualOne() {
        // verify finds a value made by the node before through the one string the ONNX reader gives both, without a
        // lookup; an equal string of its own must give the same order and the same sorting.
        for (boolean shared : new boolean[] {true, false}) {
            String a = shared ? "a" : new String("a");
            Graph inOrder = graph(List.of("y"),
                    node("mm", "MatMul", List.of("x", "w"), "a"),
                    node("relu", "Relu", List.of(a), "y"));
            assertThat(GraphChecks.verify("g.onnx", inOrder)).isSameAs(inOrder);
            Graph outOfOrder = graph(List.of("z"),
                    node("relu", "Relu", List.of("b"), "a"),
                    node("sig", "Sigmoid", List.of(a), "z"),
                    node("mm", "MatMul", List.of("x", "w"), "b"));
            assertThat(GraphChecks.verify("g.onnx", outOfOrder).nodes()).extracting(Node::name)
                    .containsExactly("mm", "relu", "sig");
        }
    }

    @Test
    void anOmittedOptionalInputNeedsNoProducer() {
        Graph graph = graph(List.of("y"), node("clip", "Clip", List.of("x", "", "shape"), "y"));
        assertThat(GraphChecks.verify("g.onnx", graph).nodes()).hasSize(1);
    }

    @Test
    void aGraphOutputMayBeAGraphInputOrAStoredTensor() {
        assertThat(GraphChecks.verify("g.onnx", graph(List.of("x", "w"))).outputs()).hasSize(2);
    }

    @Test
    void aDanglingInputIsAnError() {
        Graph graph = graph(List.of("y"), node("relu", "Relu", List.of("nothing"), "y"));
        assertThatThrownBy(() -> GraphChecks.verify("g.onnx", graph)).isInstanceOf(ModelException.class)
                .hasMessage("g.onnx: Node 'relu' (Relu): input 'nothing' is produced by no node, initializer or graph input.");
    }

    @Test
    void anOutputThatShadowsAGraphInputIsAnError() {
        Graph graph = graph(List.of("x"), node("relu", "Relu", List.of("w"), "x"));
        assertThatThrownBy(() -> GraphChecks.verify("g.onnx", graph)).isInstanceOf(ModelException.class)
                .hasMessage("g.onnx: Node 'relu' (Relu): output 'x' is also an initializer or graph input; every value"
                        + " must have exactly one producer.");
    }

    @Test
    void aSelfLoopIsACycleOfOneNode() {
        Graph graph = graph(List.of("y"), node("add", "Add", List.of("x", "y"), "y"));
        assertThatThrownBy(() -> GraphChecks.verify("g.onnx", graph)).isInstanceOf(ModelException.class)
                .hasMessage("g.onnx: the graph has a cycle: 'add' (Add) -> 'add'; a node cannot depend on its own output.");
    }

    @Test
    void aCycleIsNamedFromItsFirstNodeInTheFileAndNodesOffTheCycleAreLeftOut() {
        Graph graph = graph(List.of("y"),
                node("head", "Relu", List.of("c"), "y"),
                node("a", "Add", List.of("x", "c"), "a_out"),
                node("b", "Mul", List.of("a_out"), "b_out"),
                node("c", "Sub", List.of("b_out"), "c"));
        assertThatThrownBy(() -> GraphChecks.verify("g.onnx", graph)).isInstanceOf(ModelException.class)
                .hasMessage("g.onnx: the graph has a cycle: 'a' (Add) -> 'b' (Mul) -> 'c' (Sub) -> 'a'; a node cannot"
                        + " depend on its own output.");
    }
}
