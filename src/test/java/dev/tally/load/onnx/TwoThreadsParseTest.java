package dev.tally.load.onnx;

import static dev.tally.load.onnx.OnnxModels.floatWeight;
import static dev.tally.load.onnx.OnnxModels.ints;
import static dev.tally.load.onnx.OnnxModels.node;
import static dev.tally.load.onnx.OnnxModels.tensorValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.ModelProto;
import dev.tally.load.onnx.proto.Onnx.NodeProto;
import dev.tally.load.onnx.proto.Onnx.OperatorSetIdProto;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large graph's nodes are read in two halves on two threads (OnnxLoader.TwoThreads). With its thresholds lowered,
 * a small graph takes that path too: the model must equal the one the one-thread parse makes (node names ASCII,
 * Latin-1, CJK, empty and repeated; attributes; initializers and value infos written between the nodes, which a
 * serializer never does but a file may), and a bad node in either half must give the one-thread parse's error.
 */
class TwoThreadsParseTest {
    @TempDir
    Path dir;

    @Test
    void bothHalvesReadTheGraphTheOneThreadParseReads() throws Exception {
        Path file = write(graphBytes(3000, -1));

        Model one = new OnnxLoader().load(file);
        // Several times: the halves once raced on one buffer (an aliasing stream moves its buffer to slice a bytes field,
        // as each node's attribute name here), which failed now and then.
        for (int run = 0; run < 8; run++) {
            long before = OnnxLoader.TwoThreads.READ.get();
            Model two = lowered(() -> new OnnxLoader().load(file));

            assertThat(OnnxLoader.TwoThreads.READ.get()).as("read on two threads").isEqualTo(before + 1);
            assertThat(two.graph().nodes()).hasSize(3000).isEqualTo(one.graph().nodes());
            assertThat(two.graph().params()).isEqualTo(one.graph().params());
            assertThat(two.graph().inputs()).isEqualTo(one.graph().inputs());
            assertThat(two.graph().outputs()).isEqualTo(one.graph().outputs());
            assertThat(two.graph().constants().keySet()).isEqualTo(one.graph().constants().keySet());
        }
    }

    @Test
    void aBadNodeInEitherHalfGivesTheOneThreadParsesError() throws Exception {
        for (int bad : new int[] {10, 2990}) {
            Path file = write(graphBytes(3000, bad));
            String expected = messageOf(() -> new OnnxLoader().load(file));
            long before = OnnxLoader.TwoThreads.READ.get();

            assertThatThrownBy(() -> lowered(() -> new OnnxLoader().load(file))).isInstanceOf(ModelException.class)
                    .hasMessage(expected);
            assertThat(OnnxLoader.TwoThreads.READ.get()).as("no result from two threads").isEqualTo(before);
        }
    }

    private static String messageOf(Runnable load) {
        try {
            load.run();
        } catch (ModelException e) {
            return e.getMessage();
        }
        throw new AssertionError("the one-thread parse accepted the bad node");
    }

    private static Model lowered(Supplier<Model> load) {
        int nodes = OnnxLoader.TwoThreads.nodes;
        int bytes = OnnxLoader.TwoThreads.bytes;
        OnnxLoader.TwoThreads.nodes = 2;
        OnnxLoader.TwoThreads.bytes = 1;
        try {
            return load.get();
        } finally {
            OnnxLoader.TwoThreads.nodes = nodes;
            OnnxLoader.TwoThreads.bytes = bytes;
        }
    }

    private static void lowered(Runnable load) {
        lowered(() -> {
            load.run();
            return null;
        });
    }

    /**
     * A chain of {@code count} ops as the bytes of one GraphProto written in three parts (nodes, then an initializer
     * and a value info, then more nodes), so other fields sit between the nodes; node {@code bad} (if not -1) holds an
     * attribute protobuf cannot parse.
     */
    private static byte[] graphBytes(int count, int bad) throws Exception {
        String[] ops = {"Relu", "Neg", "Abs", "Sigmoid"};
        String[] names = {"n%d", "caf\u00e9.%d", "\u5c42%d", "", "same"};
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        GraphProto.Builder part = GraphProto.newBuilder();
        for (int i = 0; i < count; i++) {
            String input = i == 0 ? "x" : "t" + (i - 1);
            String output = i == count - 1 ? "y" : "t" + i;
            NodeProto.Builder node = node(String.format(names[i % names.length], i), ops[i % ops.length], List.of(input),
                    List.of(output));
            // Every node has an attribute, whose name is a bytes field an aliasing stream slices.
            node.addAttribute(ints("unused", i));
            if (i % 7 == 0) {
                node.setOpType("Add").addInput("bias");
            }
            if (i == bad) {
                // The node's own bytes, then an attribute field whose bytes start with a tag of wire type 7, which no
                // message has; written as the graph's next node field, after the nodes before it.
                ByteArrayOutputStream broken = new ByteArrayOutputStream();
                broken.write(node.build().toByteArray());
                CodedOutputStream out = CodedOutputStream.newInstance(broken);
                out.writeByteArray(5, new byte[] {0x0f, 0x00});
                out.flush();
                graph.write(part.build().toByteArray());
                part = GraphProto.newBuilder();
                CodedOutputStream field = CodedOutputStream.newInstance(graph);
                field.writeByteArray(1, broken.toByteArray());
                field.flush();
            } else {
                part.addNode(node);
            }
            if (i == count / 3) {
                graph.write(part.build().toByteArray());
                part = GraphProto.newBuilder().addInitializer(floatWeight("bias", 16)).addValueInfo(tensorValue("t0", 1, 16));
            }
        }
        part.setName("chain").addInput(tensorValue("x", 1, 16)).addOutput(tensorValue("y", 1, 16));
        graph.write(part.build().toByteArray());
        return graph.toByteArray();
    }

    private Path write(byte[] graph) throws Exception {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        model.write(ModelProto.newBuilder().setIrVersion(8).setProducerName("tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build().toByteArray());
        CodedOutputStream out = CodedOutputStream.newInstance(model);
        out.writeByteArray(7, graph);
        out.flush();
        Path file = dir.resolve("chain" + System.nanoTime() + ".onnx");
        Files.write(file, model.toByteArray());
        return file;
    }
}
