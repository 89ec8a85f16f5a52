package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains, as PyTorch exports them, through the real ShapePass. */
class ShapeChainTest {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, ConstTensor> constants = new LinkedHashMap<>();

    @Test
    void xViewOfSizeZeroAndMinusOneResolvesThroughTheChain() {
        // torch: x.view(x.size(0), -1) exported at opset 13
        constant("zero", 0);
        constant("minusOne", -1);
        node("Shape", List.of("x"), "shape", Map.of());
        node("Gather", List.of("shape", "zero"), "batch", Map.of("axis", new Attribute.Int(0)));
        constantInts("axes0", 0);
        node("Unsqueeze", List.of("batch", "axes0"), "batch1", Map.of());
        constantInts("minusOne1", -1);
        node("Concat", List.of("batch1", "minusOne1"), "target", Map.of("axis", new Attribute.Int(0)));
        node("Reshape", List.of("x", "target"), "y", Map.of());
        Analysis analysis = analyze(Shape.of(2, 3, 8, 8));
        assertThat(output(analysis, "y")).isEqualTo(dims(2, 192));
        assertThat(analysis.nodes()).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo(NodeResult.Status.COUNTED);
            assertThat(n.cost().ops()).isZero();
        });
    }

    @Test
    void shuffleNetsChannelShuffleResolvesWithDivisionOfTheChannelCount() {
        // torchvision shufflenetv2.channel_shuffle(x, 2): view(b, 2, c // 2, h, w), transpose(1, 2), view(b, -1, h, w)
        node("Shape", List.of("x"), "shape", Map.of());
        String[] dims = {"b", "c", "h", "w"};
        for (int i = 0; i < 4; i++) {
            constant("i" + i, i);
            node("Gather", List.of("shape", "i" + i), dims[i], Map.of("axis", new Attribute.Int(0)));
        }
        constant("groups", 2);
        node("Div", List.of("c", "groups"), "cpg", Map.of());
        constantInts("axes0", 0);
        for (String d : new String[] {"b", "cpg", "h", "w", "groups"}) {
            node("Unsqueeze", List.of(d, "axes0"), d + "1", Map.of());
        }
        node("Concat", List.of("b1", "groups1", "cpg1", "h1", "w1"), "target5", Map.of("axis", new Attribute.Int(0)));
        node("Reshape", List.of("x", "target5"), "grouped", Map.of());
        node("Transpose", List.of("grouped"), "shuffled", Map.of("perm", Attribute.ints(0, 2, 1, 3, 4)));
        constantInts("minusOne1", -1);
        node("Concat", List.of("b1", "minusOne1", "h1", "w1"), "target4", Map.of("axis", new Attribute.Int(0)));
        node("Reshape", List.of("shuffled", "target4"), "y", Map.of());
        Analysis analysis = analyze(Shape.of(1, 116, 28, 28));
        assertThat(output(analysis, "grouped")).isEqualTo(dims(1, 2, 58, 28, 28));
        assertThat(output(analysis, "y")).isEqualTo(dims(1, 116, 28, 28));
    }

    @Test
    void valuesOfShapeTensorsAreKnownToTheShapePassButCostNothing() {
        node("Shape", List.of("x"), "shape", Map.of());
        constantInts("start", 2);
        constantInts("end", Long.MAX_VALUE);
        node("Slice", List.of("shape", "start", "end"), "spatial", Map.of());
        node("ReduceProd", List.of("spatial"), "area", Map.of("keepdims", new Attribute.Int(0)));
        node("Cast", List.of("area"), "areaF", Map.of("to", new Attribute.Int(1)));
        node("Sqrt", List.of("areaF"), "side", Map.of());
        Model model = model(Shape.of(1, 3, 14, 14));
        ShapePass.Result result = new ShapePass(Rules.standard(), true).run(model, InputShapes.resolve(model, Map.of()));
        TensorInfo side = result.values().get("side");
        assertThat(side.data().map(d -> d.doubleAt(0))).contains(14.0);
        assertThat(result.values().get("area").data()).contains(ConstData.ofInts(196));
    }

    private Analysis analyze(Shape input) {
        return new Analyzer().analyze(model(input), Map.of(), true);
    }

    private Model model(Shape input) {
        List<Dim> declared = new ArrayList<>();
        for (long d : input.toArray()) {
            declared.add(Dim.of(d));
        }
        Value x = new Value("x", new TensorType(DType.FLOAT32, declared));
        String last = nodes.get(nodes.size() - 1).outputs().get(0);
        Graph graph = new Graph("chain", List.of(x), List.of(new Value(last, Optional.empty())), nodes, Map.of(), constants);
        return new Model(Path.of("chain.onnx"), ModelFormat.ONNX, "test", graph, List.of());
    }

    private static Shape output(Analysis analysis, String value) {
        return analysis.nodes().stream().filter(n -> n.node().outputs().get(0).equals(value)).findFirst()
                .orElseThrow().outputs().get(0).shape();
    }

    private void node(String op, List<String> inputs, String output, Map<String, Attribute> attributes) {
        nodes.add(new Node("/" + op + "_" + nodes.size(), op, inputs, List.of(output), attributes, ""));
    }

    private void constant(String name, long value) {
        constants.put(name, new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(value)));
    }

    private void constantInts(String name, long... values) {
        constants.put(name, new ConstTensor(DType.INT64, Shape.of(values.length), ConstData.ofInts(values)));
    }
}
