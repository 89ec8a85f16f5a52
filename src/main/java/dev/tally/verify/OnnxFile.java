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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX file parsed for verification. The file is memory-mapped and parsed with aliasing, so the weight bytes
 * stay in the page cache instead of being copied onto the heap: verify reads only their lengths.
 */
final class OnnxFile {
    private final Path path;
    private final Onnx.ModelProto model;
    private final MappedByteBuffer buffer;

    private OnnxFile(Path path, Onnx.ModelProto model, MappedByteBuffer buffer) {
        this.path = path;
        this.model = model;
        this.buffer = buffer;
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
            return new OnnxFile(path, Onnx.ModelProto.parseFrom(input), buffer);
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

    /**
     * {@link #withEveryValueAsOutput()} with every initializer's {@code raw_data} turned into external data at its
     * own place in this file, under the name {@code location}: a runtime that finds this file there reads the
     * weights from it, so the copy is a few KB and the weight bytes are never read here.
     */
    Onnx.ModelProto withEveryValueAsOutputReading(String location) {
        Map<Integer, long[]> places = rawDataPlaces();
        Onnx.ModelProto edited = withEveryValueAsOutput();
        Onnx.GraphProto.Builder graph = edited.getGraph().toBuilder();
        for (Map.Entry<Integer, long[]> place : places.entrySet()) {
            graph.getInitializerBuilder(place.getKey()).clearRawData()
                    .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", location))
                    .addExternalData(entry("offset", Long.toString(place.getValue()[0])))
                    .addExternalData(entry("length", Long.toString(place.getValue()[1])));
        }
        return edited.toBuilder().setGraph(graph).build();
    }

    private static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /**
     * Where each main-graph initializer's raw_data lies in the file, by initializer index: {offset, length}. Read
     * from the protobuf wire format (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.raw_data = 9),
     * skipping over the bytes.
     */
    private Map<Integer, long[]> rawDataPlaces() {
        Map<Integer, long[]> places = new LinkedHashMap<>();
        try {
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(buffer.duplicate().rewind()).newCodedInput();
            in.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag != ((7 << 3) | 2)) {
                    in.skipField(tag);
                    continue;
                }
                int graphLimit = in.pushLimit(in.readRawVarint32());
                int index = 0;
                for (int graphTag = in.readTag(); graphTag != 0; graphTag = in.readTag()) {
                    if (graphTag != ((5 << 3) | 2)) {
                        in.skipField(graphTag);
                        continue;
                    }
                    int tensorLimit = in.pushLimit(in.readRawVarint32());
                    for (int tensorTag = in.readTag(); tensorTag != 0; tensorTag = in.readTag()) {
                        if (tensorTag == ((9 << 3) | 2)) {
                            int length = in.readRawVarint32();
                            places.put(index, new long[] {in.getTotalBytesRead(), length});
                            in.skipRawBytes(length);
                        } else {
                            in.skipField(tensorTag);
                        }
                    }
                    in.popLimit(tensorLimit);
                    index++;
                }
                in.popLimit(graphLimit);
            }
        } catch (IOException e) {
            throw new ModelException(path.getFileName() + " cannot be read as ONNX (" + EngineCache.oneLine(e)
                    + "); check that the file is complete.");
        }
        return places;
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
