package dev.tally.load.onnx;

import static dev.tally.load.onnx.OnnxModels.model;
import static dev.tally.load.onnx.OnnxModels.node;
import static dev.tally.load.onnx.OnnxModels.smallNet;
import static dev.tally.load.onnx.OnnxModels.tensorValue;
import static dev.tally.load.onnx.OnnxModels.write;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.ModelProto;
import dev.tally.load.onnx.proto.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a file can fail to be a usable ONNX model gets one sentence naming the file, and never a stack trace. */
class OnnxLoaderErrorsTest {
    @TempDir
    Path dir;

    private void assertRejected(Path path, String message) {
        assertThatThrownBy(() -> new OnnxLoader().load(path)).isInstanceOf(ModelException.class).hasMessage(message);
    }

    private Path writeGraph(GraphProto.Builder graph) {
        return write(dir, "net.onnx", model(graph));
    }

    @Test
    void aMissingFileIsRejected() {
        Path path = dir.resolve("absent.onnx");
        assertRejected(path, path + " does not exist; check the path.");
    }

    @Test
    void aDirectoryIsRejected() {
        assertRejected(dir, dir + " is not a file; give an ONNX model file.");
    }

    @Test
    void anEmptyFileIsRejected() {
        assertRejected(write(dir, "empty.onnx", new byte[0]), "empty.onnx is empty; it is not an ONNX model.");
    }

    @Test
    void randomBytesAreNotOnnx() {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        assertThatThrownBy(() -> new OnnxLoader().load(write(dir, "noise.onnx", noise)))
                .isInstanceOf(ModelException.class).hasMessageStartingWith("noise.onnx is not an ONNX model: ");
    }

    @Test
    void aTextFileIsNotOnnx() {
        assertThatThrownBy(() -> new OnnxLoader().load(write(dir, "notes.onnx", "hello, world\n".getBytes())))
                .isInstanceOf(ModelException.class).hasMessageStartingWith("notes.onnx is not an ONNX model: ");
    }

    @Test
    void aProtobufThatIsNotAModelIsNotOnnx() {
        // A serialized TensorProto parses as a ModelProto of unknown fields: field 1 (dims) even looks like ir_version.
        byte[] tensor = TensorProto.newBuilder().addDims(3).addDims(4).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[48])).build().toByteArray();
        assertRejected(write(dir, "tensor.onnx", tensor), "tensor.onnx is not an ONNX model: it holds no ONNX graph.");
        byte[] graph = smallNet().build().toByteArray();
        assertRejected(write(dir, "graph.onnx", graph), "graph.onnx is not an ONNX model: it has no ONNX IR version.");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0001, 0.05, 0.3, 0.5, 0.9, 0.9999})
    void aTruncatedFileSaysItIsTruncated(double fraction) {
        GraphProto.Builder graph = smallNet().addInitializer(OnnxModels.floatWeight("pad.weight", 64, 64));
        byte[] whole = model(graph).toByteArray();
        int length = Math.max(1, (int) (whole.length * fraction));
        Path path = write(dir, "cut.onnx", Arrays.copyOf(whole, length));

        assertThatThrownBy(() -> new OnnxLoader().load(path)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("cut.onnx ").hasMessageContaining("truncated");
    }

    @Test
    void aTruncatedFileNamesItsSize() {
        byte[] whole = model(smallNet()).toByteArray();
        assertRejected(write(dir, "cut.onnx", Arrays.copyOf(whole, 100)),
                "cut.onnx is truncated: it ends in the middle of the model after 100 bytes; re-export or re-copy it.");
    }

    @Test
    void aFileCutRightAfterItsGraphSaysItMayBeTruncated() {
        // torch.onnx writes opset_import (field 8) after the graph (field 7): a cut between them still parses.
        ModelProto whole = model(smallNet());
        byte[] bytes = whole.toByteArray();
        int withoutOpset = bytes.length - whole.getOpsetImport(0).getSerializedSize() - 2;
        assertThatThrownBy(() -> new OnnxLoader().load(write(dir, "cut.onnx", Arrays.copyOf(bytes, withoutOpset))))
                .isInstanceOf(ModelException.class).hasMessageContaining("truncated");
    }

    @Test
    void anInputNoNodeProducesIsNamed() {
        GraphProto.Builder graph = smallNet();
        graph.setNode(1, graph.getNode(1).toBuilder().setInput(0, "conv_out"));
        assertRejected(writeGraph(graph), "net.onnx: Node '/features/features.1/Relu' (Relu): input 'conv_out' is"
                + " produced by no node, initializer or graph input.");
    }

    @Test
    void aCycleNamesTheNodesOnIt() {
        GraphProto.Builder graph = smallNet()
                .addNode(node("/a/Add", "Add", List.of("output", "d"), List.of("c")))
                .addNode(node("/b/Mul", "Mul", List.of("c", "c"), List.of("d")));
        assertRejected(writeGraph(graph), "net.onnx: the graph has a cycle: '/a/Add' (Add) -> '/b/Mul' (Mul) -> '/a/Add';"
                + " a node cannot depend on its own output.");
    }

    @Test
    void aGraphOutputNoNodeProducesIsNamed() {
        GraphProto.Builder graph = smallNet().addOutput(tensorValue("logits", 1, 10));
        assertRejected(writeGraph(graph), "net.onnx: graph output 'logits' is produced by no node, initializer or graph input.");
    }

    @Test
    void aValueProducedTwiceIsNamed() {
        GraphProto.Builder graph = smallNet()
                .addNode(node("/Relu_again", "Relu", List.of("output"), List.of("/Flatten_output_0")));
        assertRejected(writeGraph(graph), "net.onnx: Node '/Relu_again' (Relu): output '/Flatten_output_0' is already"
                + " produced by Node '/Flatten' (Flatten); every value must have exactly one producer.");
    }

    @Test
    void anOpsetBefore7IsRefused() {
        assertRejected(write(dir, "old.onnx", model(smallNet(), 6)), "old.onnx uses ONNX opset 6, and Tally reads opset 7"
                + " and later; re-export it with a newer opset (torch.onnx.export(..., opset_version=13)).");
    }

    @Test
    void aModelWithoutADefaultOpsetIsRefused() {
        ModelProto model = model(smallNet()).toBuilder().clearOpsetImport().build();
        assertRejected(write(dir, "bare.onnx", model), "bare.onnx declares no default ONNX opset (opset_import); the"
                + " file is truncated or was not written by an ONNX exporter.");
    }

    @Test
    void anInitializerWithoutADataTypeIsNamed() {
        GraphProto.Builder graph = smallNet();
        graph.setInitializer(3, graph.getInitializer(3).toBuilder().clearDataType());
        assertRejected(writeGraph(graph), "net.onnx: initializer 'classifier.bias' has no data type; the file is damaged.");
    }

    @Test
    void aConstantWhoseDataDisagreesWithItsDimsIsNamed() {
        GraphProto.Builder graph = smallNet()
                .addInitializer(TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(3).addInt64Data(1).addInt64Data(2))
                .addNode(node("/Reshape", "Reshape", List.of("output", "shape"), List.of("r")));
        assertRejected(writeGraph(graph), "net.onnx: initializer 'shape' holds 2 values for 3 elements of int64; the file is damaged.");
    }

    @Test
    void anUnreadableFileIsNotAStackTrace() throws Exception {
        Path path = write(dir, "locked.onnx", model(smallNet()));
        if (path.toFile().setReadable(false) && !Files.isReadable(path)) {
            assertThatThrownBy(() -> new OnnxLoader().load(path)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("locked.onnx cannot be read: ");
        } else {
            // Running as root: permissions do not stop reading, so the file simply loads.
            new OnnxLoader().load(path);
        }
    }
}
