package dev.tally.load.onnx;

import com.google.protobuf.ByteString;
import dev.tally.load.onnx.proto.Onnx.AttributeProto;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.ModelProto;
import dev.tally.load.onnx.proto.Onnx.NodeProto;
import dev.tally.load.onnx.proto.Onnx.OperatorSetIdProto;
import dev.tally.load.onnx.proto.Onnx.StringStringEntryProto;
import dev.tally.load.onnx.proto.Onnx.TensorProto;
import dev.tally.load.onnx.proto.Onnx.TensorShapeProto;
import dev.tally.load.onnx.proto.Onnx.TypeProto;
import dev.tally.load.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Tiny ONNX models built with the generated protobuf builders, written the way torch.onnx writes them. */
final class OnnxModels {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;

    private OnnxModels() {
    }

    /** A float32 graph input or output; a String dim is symbolic, a Long/Integer dim is known. */
    static ValueInfoProto tensorValue(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            if (dim instanceof String symbol) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(symbol));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) dim).longValue()));
            }
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(shape)))
                .build();
    }

    /** A tensor with the given dims and no data: what a structure-only model holds. */
    static TensorProto.Builder tensor(String name, int dataType, long... dims) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(dataType);
        for (long d : dims) {
            tensor.addDims(d);
        }
        return tensor;
    }

    /** A float tensor whose data is raw_data of zeros, as torch.onnx stores weights. */
    static TensorProto floatWeight(String name, long... dims) {
        long numel = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        return tensor(name, FLOAT, dims).setRawData(ByteString.copyFrom(new byte[Math.toIntExact(numel * 4)])).build();
    }

    /** An int64 tensor whose values are in raw_data, little-endian. */
    static TensorProto int64Raw(String name, long[] dims, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            bytes.putLong(v);
        }
        return tensor(name, INT64, dims).setRawData(ByteString.copyFrom(bytes.array())).build();
    }

    static TensorProto floatValues(String name, long[] dims, float... values) {
        TensorProto.Builder tensor = tensor(name, FLOAT, dims);
        for (float v : values) {
            tensor.addFloatData(v);
        }
        return tensor.build();
    }

    /** A tensor whose data lives in an external file {@code location}. */
    static TensorProto external(String name, String location, long... dims) {
        return tensor(name, FLOAT, dims)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(String.valueOf(
                        Arrays.stream(dims).reduce(1, Math::multiplyExact) * 4)))
                .build();
    }

    static NodeProto.Builder node(String name, String opType, List<String> inputs, List<String> outputs) {
        return NodeProto.newBuilder().setName(name).setOpType(opType).addAllInput(inputs).addAllOutput(outputs);
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            attribute.addInts(v);
        }
        return attribute.build();
    }

    static AttributeProto tensorAttribute(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    /** A model as torch.onnx 1.13 writes it: IR version 7, producer pytorch, the given default opset. */
    static ModelProto model(GraphProto.Builder graph, long opset) {
        return ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("pytorch")
                .setProducerVersion("1.13.1")
                .setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .build();
    }

    static ModelProto model(GraphProto.Builder graph) {
        return model(graph, 13);
    }

    /**
     * A small CNN in torch.onnx's style: Conv (folded-BN-free, named weights), Relu, Flatten at the root,
     * then Gemm; input 1x3x8x8, output 1x10.
     */
    static GraphProto.Builder smallNet() {
        return GraphProto.newBuilder().setName("main_graph")
                .addInput(tensorValue("input", "batch", 3, 8, 8))
                .addOutput(tensorValue("output", "batch", 10))
                .addInitializer(floatWeight("features.0.weight", 4, 3, 3, 3))
                .addInitializer(floatWeight("features.0.bias", 4))
                .addInitializer(floatWeight("classifier.weight", 10, 144))
                .addInitializer(floatWeight("classifier.bias", 10))
                .addNode(node("/features/features.0/Conv", "Conv", List.of("input", "features.0.weight", "features.0.bias"),
                        List.of("/features/features.0/Conv_output_0"))
                        .addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("pads", 0, 0, 0, 0)))
                .addNode(node("/features/features.1/Relu", "Relu", List.of("/features/features.0/Conv_output_0"),
                        List.of("/features/features.1/Relu_output_0")))
                .addNode(node("/Flatten", "Flatten", List.of("/features/features.1/Relu_output_0"), List.of("/Flatten_output_0")))
                .addNode(node("/classifier/Gemm", "Gemm", List.of("/Flatten_output_0", "classifier.weight", "classifier.bias"),
                        List.of("output")));
    }

    static Path write(Path dir, String name, ModelProto model) {
        return write(dir, name, model.toByteArray());
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            Path path = dir.resolve(name);
            Files.write(path, bytes);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
