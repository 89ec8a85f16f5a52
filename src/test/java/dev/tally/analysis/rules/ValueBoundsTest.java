package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static dev.tally.analysis.rules.Op.graphInput;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.ValueRange;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Shape;
import dev.tally.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Bounds on values the shape pass does not know (docs/conventions.md, "Value bounds"), through the real passes, in the
 * shape of torchvision's paste_masks: boxes kept by a NonZero (data-dependent), clamped to a 20 x 20 image with Max and
 * Min, one box's width and height as a Resize's sizes. Every figure is worked out by hand.
 */
class ValueBoundsTest {
    private final List<Value> inputs = new ArrayList<>(List.of(graphInput("scores", DType.FLOAT32, 6),
            graphInput("boxes", DType.FLOAT32, 6, 4), graphInput("mask", DType.FLOAT32, 1, 1, 4, 4)));
    private final Map<String, ConstTensor> constants = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();

    ValueBoundsTest() {
        constants.put("zero", floats(0));
        constants.put("twenty", floats(20));
        constants.put("one", ints(1));
        constants.put("flat", ints(-1));
        constants.put("axis0", ints(0));
        constants.put("first", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(0)));
        constants.put("x0", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(0)));
        constants.put("y0", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(1)));
        constants.put("x1", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(2)));
        constants.put("y1", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(3)));
        constants.put("batch", ints(1, 1));
        // The boxes the scores keep: at most 6 of them, each coordinate unknown.
        node("NonZero", List.of("scores"), "nz");
        node("Reshape", List.of("nz", "flat"), "keep");
        node("Gather", List.of("boxes", "keep"), "kept");
    }

    @Test
    void aResizeToABoxClampedToTheImageIsBoundedByTheImage() {
        clampAndMeasure("twenty");
        // Each coordinate in [0, 20]: x1 - x0 + 1 in [-19, 21], so the sizes are at most [1, 1, 21, 21].
        NodeResult resize = resize();
        assertThat(resize.status()).isEqualTo(NodeResult.Status.COUNTED);
        assertThat(resize.outputs().get(0).shape()).isEqualTo(dims(1, 1, 21, 21));
        assertThat(resize.outputs().get(0).dataDependent()).isTrue();
        assertThat(resize.dataDependent()).isTrue();
        assertThat(resize.note()).contains("at most [1, 1, 21, 21]");
        // Linear over 2 resized axes: 441 outputs x (2 x 2 - 1) x (1 + 2) ops.
        assertThat(resize.cost().ops()).isEqualTo(441L * 3 * 3);
    }

    @Test
    void withoutAClampTheSizesHaveNoBoundAndTheResizeIsListed() {
        // Max with 0 only: the coordinates have no upper bound, so neither has the width.
        clampAndMeasure(null);
        NodeResult resize = resize();
        assertThat(resize.status()).isEqualTo(NodeResult.Status.UNRESOLVED);
        assertThat(resize.note()).contains("data-dependent without a bound");
    }

    @Test
    void aSliceWithStartsFromTheDataIsAtMostItsInputsExtentAndZerosUpToABoxAreBounded() {
        clampAndMeasure("twenty");
        // mask[x0:x1] along axis 2: at most the 4 rows it has.
        node("Cast", List.of("x0v"), "x0i", Map.of("to", new Attribute.Int(7)));
        node("Cast", List.of("x1v"), "x1i", Map.of("to", new Attribute.Int(7)));
        node("Unsqueeze", List.of("x0i", "axis0"), "starts");
        node("Unsqueeze", List.of("x1i", "axis0"), "ends");
        constants.put("axis2", ints(2));
        node("Slice", List.of("mask", "starts", "ends", "axis2"), "part");
        // zeros([x0, 4]): x0 in [0, 20] as an int.
        constants.put("four", ints(4));
        node("Concat", List.of("starts", "four"), "padShape", Map.of("axis", new Attribute.Int(0)));
        node("ConstantOfShape", List.of("padShape"), "pad");
        Analysis analysis = analyze("pad");
        NodeResult slice = find(analysis, "Slice");
        assertThat(slice.outputs().get(0).shape()).isEqualTo(dims(1, 1, 4, 4));
        assertThat(slice.outputs().get(0).dataDependent()).isTrue();
        assertThat(slice.note()).contains("at most the input's extent");
        NodeResult pad = find(analysis, "ConstantOfShape");
        assertThat(pad.outputs().get(0).shape()).isEqualTo(dims(20, 4));
        assertThat(pad.note()).contains("at most [20, 4]");
        assertThat(find(analysis, "Concat").outputs().get(0).range()).contains(new ValueRange(new double[] {0, 4}, new double[] {20, 4}));
    }

    @Test
    void float32BoundsAreRoundedAsFloat32ArithmeticRoundsNotWidenedPastAWholeNumber() {
        // (x1 - x0) * 0.5 * (30 / 28) for x in [0, 20]: float32's own product of the bounds, 10.714286 (not 10.714287
        // or more), so its ceiling stays 11.
        clampAndMeasure("twenty");
        constants.put("half", floats(0.5));
        constants.put("scale", floats(30f / 28f));
        node("Sub", List.of("x1v", "x0v"), "wf");
        node("Mul", List.of("wf", "half"), "halfw");
        node("Mul", List.of("halfw", "scale"), "scaled");
        node("Ceil", List.of("scaled"), "ceiled");
        Analysis analysis = analyze("ceiled");
        ValueRange scaled = find(analysis, "Ceil").outputs().get(0).range().orElseThrow();
        assertThat(scaled.high(0)).isEqualTo(11.0);
        assertThat(scaled.low(0)).isEqualTo(-10.0);
        ValueRange product = analysis.nodes().stream().filter(n -> n.node().outputs().contains("scaled")).findFirst().orElseThrow()
                .outputs().get(0).range().orElseThrow();
        assertThat(product.high(0)).isEqualTo((double) (10f * (30f / 28f)));
    }

    /** kept clamped to [0, 20] (or only to 0 when {@code limit} is null); one box's x0, x1 and its width + 1, height + 1. */
    private void clampAndMeasure(String limit) {
        node("Max", List.of("kept", "zero"), limit == null ? "clipped" : "above");
        if (limit != null) {
            node("Min", List.of("above", limit), "clipped");
        }
        node("Gather", List.of("clipped", "first"), "box");
        node("Gather", List.of("box", "x0"), "x0v");
        node("Gather", List.of("box", "x1"), "x1v");
        node("Gather", List.of("box", "y0"), "y0v");
        node("Gather", List.of("box", "y1"), "y1v");
        node("Sub", List.of("x1v", "x0v"), "w0");
        node("Sub", List.of("y1v", "y0v"), "h0");
        node("Cast", List.of("w0"), "wi", Map.of("to", new Attribute.Int(7)));
        node("Cast", List.of("h0"), "hi", Map.of("to", new Attribute.Int(7)));
        node("Add", List.of("wi", "one"), "w");
        node("Add", List.of("hi", "one"), "h");
        node("Concat", List.of("batch", "h", "w"), "sizes", Map.of("axis", new Attribute.Int(0)));
        nodes.add(new Node("resize", "Resize", List.of("mask", "", "", "sizes"), List.of("resized"),
                Map.of("mode", new Attribute.Str("linear")), ""));
    }

    private NodeResult resize() {
        return find(analyze("resized"), "Resize");
    }

    private static NodeResult find(Analysis analysis, String op) {
        return analysis.nodes().stream().filter(n -> n.node().opType().equals(op)).reduce((a, b) -> b).orElseThrow();
    }

    private Analysis analyze(String output) {
        Graph graph = new Graph("bounds", inputs, List.of(new Value(output, Optional.empty())), nodes, Map.of(), constants);
        return new Analyzer().analyze(new Model(Path.of("bounds.onnx"), ModelFormat.ONNX, "test", graph, List.of()), Map.of(), false);
    }

    private void node(String op, List<String> in, String output) {
        node(op, in, output, Map.of());
    }

    private void node(String op, List<String> in, String output, Map<String, Attribute> attributes) {
        nodes.add(new Node("/" + op + "_" + nodes.size(), op, in, List.of(output), attributes, ""));
    }

    private static ConstTensor floats(double value) {
        return new ConstTensor(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(value));
    }

    private static ConstTensor ints(long... values) {
        return new ConstTensor(DType.INT64, Shape.of(values.length), ConstData.ofInts(values));
    }
}
