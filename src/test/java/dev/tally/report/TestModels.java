package dev.tally.report;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graphs built node by node, named as PyTorch's ONNX exporter names them, for the report and CLI tests
 * (analysed with {@link TinyRules}).
 */
public final class TestModels {
    private TestModels() {
    }

    /**
     * The worksheet's AlexNet-like network (reference/worksheet-alexnet.md) for one 1x3x227x227 input, laid out as
     * torchvision's AlexNet: {@code features.0..12}, a flatten, {@code classifier.0..6}.
     */
    public static Model worksheet() {
        Builder b = new Builder(Path.of("worksheet.onnx"), "input", Shape.of(1, 3, 227, 227), false);
        b.conv("features.0", 3, 64, 11, 4, 2, true);
        b.relu("features.1");
        b.maxPool("features.2", 2, 2);
        b.conv("features.3", 64, 192, 5, 1, 2, true);
        b.relu("features.4");
        b.maxPool("features.5", 2, 2);
        b.conv("features.6", 192, 384, 3, 1, 1, true);
        b.relu("features.7");
        b.conv("features.8", 384, 256, 3, 1, 1, true);
        b.relu("features.9");
        b.conv("features.10", 256, 256, 3, 1, 1, true);
        b.relu("features.11");
        b.maxPool("features.12", 4, 2);
        b.flatten("flatten");
        b.dropout("classifier.0");
        b.linear("classifier.1", 9216, 4096);
        b.relu("classifier.2");
        b.dropout("classifier.3");
        b.linear("classifier.4", 4096, 4096);
        b.relu("classifier.5");
        b.linear("classifier.6", 4096, 1000);
        return b.build("pytorch 1.13.1");
    }

    /**
     * A small nested network for depth folding, with numbers small enough to work out by hand: input 2x4x4 with a
     * symbolic batch, {@code stem.conv}, two residual-style blocks whose ReLU module is called twice (as in
     * ResNet's BasicBlock), a pool, a flatten, {@code fc}, and an auxiliary head no node reads.
     */
    public static Model blocks() {
        Builder b = new Builder(Path.of("blocks.onnx"), "x", Shape.of(1, 2, 4, 4), true);
        b.conv("stem.conv", 2, 4, 3, 1, 1, true);
        b.conv("layer1.0.conv1", 4, 4, 1, 1, 0, false);
        b.relu("layer1.0.relu");
        b.conv("layer1.0.conv2", 4, 4, 1, 1, 0, false);
        b.relu("layer1.0.relu");
        b.conv("layer1.1.conv1", 4, 4, 1, 1, 0, true);
        b.maxPool("pool", 2, 2);
        b.flatten("flatten");
        b.linear("fc", 16, 3);
        b.unused(new Param("aux.weight", Shape.of(5), DType.FLOAT32, Role.PARAM));
        b.unused(new Param("aux.running_mean", Shape.of(5), DType.FLOAT32, Role.BUFFER));
        return b.build("");
    }

    /** A conv, an op no rule knows ({@code Mystery}), and a ReLU that it keeps from resolving. */
    public static Model withUnsupportedOp() {
        Builder b = new Builder(Path.of("mystery.onnx"), "input", Shape.of(1, 1, 3, 3), false);
        b.conv("conv", 1, 2, 1, 1, 0, true);
        b.op("head.mystery", "Mystery");
        b.relu("head.relu");
        return b.build("");
    }

    /** Adds nodes in order, each reading the previous one's output. */
    static final class Builder {
        private final Path path;
        private final Value input;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Param> params = new LinkedHashMap<>();
        private String last;
        private final java.util.Set<String> names = new java.util.HashSet<>();

        Builder(Path path, String inputName, Shape shape, boolean symbolicBatch) {
            this.path = path;
            List<Dim> dims = new ArrayList<>();
            for (int i = 0; i < shape.rank(); i++) {
                dims.add(i == 0 && symbolicBatch ? Dim.symbol("batch") : Dim.of(shape.dim(i)));
            }
            this.input = new Value(inputName, new TensorType(DType.FLOAT32, dims));
            this.last = inputName;
        }

        void conv(String layer, long cin, long cout, long k, long stride, long pad, boolean bias) {
            List<String> inputs = new ArrayList<>(List.of(last, param(layer + ".weight", cout, cin, k, k)));
            if (bias) {
                inputs.add(param(layer + ".bias", cout));
            }
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            attrs.put("kernel_shape", Attribute.ints(k, k));
            attrs.put("strides", Attribute.ints(stride, stride));
            attrs.put("pads", Attribute.ints(pad, pad, pad, pad));
            add(layer, "Conv", inputs, attrs);
        }

        void linear(String layer, long in, long out) {
            add(layer, "Gemm", List.of(last, param(layer + ".weight", out, in), param(layer + ".bias", out)),
                    Map.of("transB", new Attribute.Int(1)));
        }

        void relu(String layer) {
            add(layer, "Relu", List.of(last), Map.of());
        }

        void maxPool(String layer, long k, long stride) {
            add(layer, "MaxPool", List.of(last), Map.of("kernel_shape", Attribute.ints(k, k),
                    "strides", Attribute.ints(stride, stride)));
        }

        void flatten(String layer) {
            add(layer, "Flatten", List.of(last), Map.of("axis", new Attribute.Int(1)));
        }

        void dropout(String layer) {
            add(layer, "Dropout", List.of(last), Map.of());
        }

        void op(String layer, String opType) {
            add(layer, opType, List.of(last), Map.of());
        }

        void unused(Param param) {
            params.put(param.name(), param);
        }

        Model build(String producer) {
            Graph graph = new Graph("main_graph", List.of(input), List.of(new Value("output", java.util.Optional.empty())),
                    rename(last, "output"), params, Map.of());
            return new Model(path, ModelFormat.ONNX, producer, graph, List.of());
        }

        private String param(String name, long... dims) {
            params.put(name, new Param(name, Shape.of(dims), DType.FLOAT32, Role.PARAM));
            return name;
        }

        /** A node named as the exporter names it: {@code /features/features.0/Conv}. */
        private void add(String layer, String opType, List<String> inputs, Map<String, Attribute> attrs) {
            String prefix = layer.contains(".") ? "/" + layer.substring(0, layer.indexOf('.')) + "/" + layer : "/" + layer;
            String name = prefix + "/" + opType;
            for (int n = 1; names.contains(name); n++) {
                name = prefix + "/" + opType + "_" + n;
            }
            names.add(name);
            String output = name + "_output_0";
            nodes.add(new Node(name, opType, inputs, List.of(output), attrs, layer));
            last = output;
        }

        /** The nodes with the last output renamed to the graph output's name. */
        private List<Node> rename(String from, String to) {
            List<Node> renamed = new ArrayList<>();
            for (Node node : nodes) {
                List<String> inputs = node.inputs().stream().map(i -> i.equals(from) ? to : i).toList();
                List<String> outputs = node.outputs().stream().map(o -> o.equals(from) ? to : o).toList();
                renamed.add(new Node(node.name(), node.opType(), inputs, outputs, node.attributes(), node.layer()));
            }
            return renamed;
        }
    }
}
