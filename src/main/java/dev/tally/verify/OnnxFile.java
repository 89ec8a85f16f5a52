package dev.tally.verify;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.tally.ir.ModelException;
import dev.tally.load.onnx.proto.Onnx;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * An ONNX file parsed for verification. The file is memory-mapped and parsed with aliasing, so the weight bytes
 * stay in the page cache instead of being copied onto the heap: verify reads only their lengths.
 */
final class OnnxFile {
    private final Path path;
    private final Onnx.ModelProto model;

    private OnnxFile(Path path, Onnx.ModelProto model) {
        this.path = path;
        this.model = model;
    }

    static OnnxFile read(Path path) {
        String file = path.getFileName().toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                // Protobuf caps a message at 2 GB; bigger exports keep their weights as external data.
                throw new ModelException(file + " is " + size + " bytes, over the 2 GB a protobuf message may hold; export it with external data (save_as_external_data=True).");
            }
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            // An immutable wrap: CodedInputStream.newInstance(ByteBuffer) would copy every raw_data onto the heap.
            CodedInputStream input = UnsafeByteOperations.unsafeWrap(buffer).newCodedInput();
            input.enableAliasing(true);
            input.setSizeLimit(Integer.MAX_VALUE);
            return new OnnxFile(path, Onnx.ModelProto.parseFrom(input));
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read as ONNX (" + EngineCache.oneLine(e) + "); check that the file is complete.");
        }
    }

    Path path() {
        return path;
    }

    Onnx.ModelProto model() {
        return model;
    }

    /**
     * A copy of the model with every node output of the main graph added as a graph output, so one run shows
     * every intermediate value. The added outputs carry no type: ONNX Runtime infers it.
     */
    Onnx.ModelProto withEveryValueAsOutput() {
        Onnx.GraphProto graph = model.getGraph();
        Set<String> present = new HashSet<>();
        for (Onnx.ValueInfoProto output : graph.getOutputList()) {
            present.add(output.getName());
        }
        Onnx.GraphProto.Builder edited = graph.toBuilder();
        for (Onnx.NodeProto node : graph.getNodeList()) {
            for (String output : node.getOutputList()) {
                if (!output.isEmpty() && present.add(output)) {
                    edited.addOutput(Onnx.ValueInfoProto.newBuilder().setName(output));
                }
            }
        }
        return model.toBuilder().setGraph(edited).build();
    }

    /** Whether any initializer keeps its bytes in an external file. */
    boolean hasExternalData() {
        for (Onnx.TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
                return true;
            }
        }
        return false;
    }
}
