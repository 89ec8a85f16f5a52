package dev.tally.load.onnx;

import static dev.tally.load.onnx.OnnxModels.node;
import static dev.tally.load.onnx.OnnxModels.tensorValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import dev.tally.ir.ValueIds;
import dev.tally.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.ModelProto;
import dev.tally.load.onnx.proto.Onnx.OperatorSetIdProto;

/**
 * A large top-level graph's value ids are found on a second thread from the names as read, while the nodes are made
 * (OnnxGraphReader.twoThreads, lowered here): they must be the ids the graph's own nodes give, id for id, and a node
 * that fails to be made must fail the load as on one thread.
 */
class IdsBesideNodesTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        OnnxGraphReader.twoThreads = dev.tally.util.SecondThread.GRAPH_NODES;
    }

    /** Real exports: initializers, constants, Identity aliases of initializers, omitted inputs, repeated readers. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18.onnx", "swin_t.onnx", "vit_b_16.onnx", "densenet121.onnx",
        "mobilenet_v3_large.onnx", "inception_v3.onnx", "big10k.onnx", "worksheet.onnx"})
    void theIdsFoundBesideTheNodesAreTheIdsOfTheNodes(String file) {
        Model one = new OnnxLoader().load(Fixtures.file(file));
        int before = OnnxGraphReader.IDS_BESIDE.get();
        Model two = lowered(() -> new OnnxLoader().load(Fixtures.file(file)));

        assertThat(OnnxGraphReader.IDS_BESIDE.get()).as("ids found beside the nodes").isEqualTo(before + 1);
        assertThat(two.graph().nodes()).isEqualTo(one.graph().nodes());
        assertSameIds(two.graph().ids(), idsOf(two.graph()), two.graph());
        assertSameIds(two.graph().ids(), one.graph().ids(), one.graph());
    }

    @Test
    void repeatedEmptyAndFailingNodesAsOnOneThread() throws Exception {
        // Node names empty and repeated (made unique while the ids are found); then a value produced twice (the
        // conflict the ids remember for the checks), and nodes without an op type, each the load's one error.
        Path repeated = write(chain(400, -1, false));
        Model one = new OnnxLoader().load(repeated);
        int before = OnnxGraphReader.IDS_BESIDE.get();
        Model two = lowered(() -> new OnnxLoader().load(repeated));
        assertThat(OnnxGraphReader.IDS_BESIDE.get()).isEqualTo(before + 1);
        assertThat(two.graph().nodes()).isEqualTo(one.graph().nodes());
        assertSameIds(two.graph().ids(), idsOf(two.graph()), two.graph());

        Path conflict = write(chain(400, -1, true));
        Throwable produced = catchThrowable(() -> new OnnxLoader().load(conflict));
        assertThat(produced).isInstanceOf(ModelException.class).hasMessageContaining("already produced by");
        assertThat(catchThrowable(() -> lowered(() -> new OnnxLoader().load(conflict))))
                .isInstanceOf(ModelException.class).hasMessage(produced.getMessage());

        for (int bad : new int[] {3, 397}) {
            Path file = write(chain(400, bad, false));
            Throwable alone = catchThrowable(() -> new OnnxLoader().load(file));
            Throwable beside = catchThrowable(() -> lowered(() -> new OnnxLoader().load(file)));
            assertThat(alone).isInstanceOf(ModelException.class).hasMessageContaining("no op_type");
            assertThat(beside).isInstanceOf(ModelException.class).hasMessage(alone.getMessage());
        }
    }

    private static ValueIds idsOf(Graph graph) {
        List<Node> nodes = graph.nodes();
        return ValueIds.of(graph.inputs(), graph.params().keySet(), graph.constants().keySet(), nodes.size(),
                i -> nodes.get(i).inputs(), i -> nodes.get(i).outputs());
    }

    private static void assertSameIds(ValueIds actual, ValueIds expected, Graph graph) {
        assertThat(actual.size()).isEqualTo(expected.size());
        for (int id = 0; id < expected.size(); id++) {
            assertThat(actual.name(id)).isEqualTo(expected.name(id));
            assertThat(actual.isGiven(id)).isEqualTo(expected.isGiven(id));
            assertThat(actual.producer(id)).isEqualTo(expected.producer(id));
        }
        for (int i = 0; i < graph.nodes().size(); i++) {
            for (int k = 0; k < graph.nodes().get(i).inputs().size(); k++) {
                assertThat(actual.input(i, k)).isEqualTo(expected.input(i, k));
            }
            for (int k = 0; k < graph.nodes().get(i).outputs().size(); k++) {
                assertThat(actual.output(i, k)).isEqualTo(expected.output(i, k));
            }
        }
        assertThat(actual.conflictNode()).isEqualTo(expected.conflictNode());
        assertThat(actual.conflictOutput()).isEqualTo(expected.conflictOutput());
    }

    private static Model lowered(Supplier<Model> load) {
        OnnxGraphReader.twoThreads = 2;
        try {
            return load.get();
        } finally {
            OnnxGraphReader.twoThreads = dev.tally.util.SecondThread.GRAPH_NODES;
        }
    }

    /**
     * {@code count} Relu and Add nodes in a chain, named n0, "", same, n3, "", same, ...; with {@code conflict} node
     * 300 makes t200 again (the checks' error); node {@code bad} (if not -1) has no op type.
     */
    private static ModelProto chain(int count, int bad, boolean conflict) {
        String[] names = {"n%d", "", "same"};
        GraphProto.Builder graph = GraphProto.newBuilder().setName("chain").addInput(tensorValue("x", 1, 16));
        for (int i = 0; i < count; i++) {
            String input = i == 0 ? "x" : "t" + (i - 1);
            String output = conflict && i == 300 ? "t200" : "t" + i;
            graph.addNode(node(String.format(names[i % names.length], i), i == bad ? "" : i % 2 == 0 ? "Relu" : "Add",
                    i % 2 == 0 ? List.of(input) : List.of(input, "x"), List.of(output)));
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(graph.addOutput(tensorValue("t" + (count - 1), 1, 16))).build();
    }

    private Path write(ModelProto model) throws Exception {
        Path file = dir.resolve("chain" + System.nanoTime() + ".onnx");
        Files.write(file, model.toByteArray());
        return file;
    }
}
