package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static dev.tally.analysis.rules.Op.graphInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.Subgraphs;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.Value;
import dev.tally.report.DataDependence;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * ONNX If, Loop and Scan bodies and the ops whose sizes depend on the data, through the real passes, with counts worked
 * out by hand. The outer graph has x [1, 8], W [8, 4] and V [8, 8]; {@code x @ W} is 1 x 4 outputs of 8 products each,
 * 32 MACs; {@code (x @ V) @ W} is 64 + 32 = 96.
 */
class ControlFlowTest {
    private final List<Value> inputs = new ArrayList<>(List.of(graphInput("x", DType.FLOAT32, 1, 8)));
    private final Map<String, ConstTensor> constants = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();

    @Test
    void anIfWithAConstantConditionCountsOnlyTheBranchTakenReadingOuterNames() {
        constants.put("yes", bool(true));
        nodes.add(ifNode("yes"));
        Analysis analysis = analyze("y");
        NodeResult result = analysis.nodes().get(0);
        assertThat(result.cost().macs()).isEqualTo(32);
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(1, 4));
        assertThat(result.dataDependent()).isFalse();
        assertThat(result.note()).contains("constant true");

        constants.put("yes", bool(false));
        assertThat(analyze("y").nodes().get(0).cost().macs()).isEqualTo(96);
    }

    @Test
    void anIfWhoseConditionIsNotKnownCountsTheLargerBranchAsAnUpperBound() {
        inputs.add(graphInput("flag", DType.BOOL));
        nodes.add(ifNode("flag"));
        Analysis analysis = analyze("y");
        NodeResult result = analysis.nodes().get(0);
        assertThat(result.cost().macs()).isEqualTo(96);
        assertThat(result.dataDependent()).isTrue();
        assertThat(result.outputs().get(0).dataDependent()).isTrue();
        Summary summary = SummaryBuilder.build(analysis);
        assertThat(summary.dataDependence().macs()).isEqualTo(96);
        assertThat(summary.layers().get(0).isDataDependent()).isTrue();
        assertThat(summary.outputs().get(0).origin()).isEqualTo(SummaryBuilder.DATA_DEPENDENT_OUTPUT);
    }


    @Test
    void eitherBranchTakesTheLargerSizePerAxisOrAtTheBoundsTheBranchTheConditionTakes() {
        // TorchScript's `if boxes.numel() == 0: keep = empty([0]) else: keep = nms(...)`, both branches followed (here 2 and 6).
        inputs.set(0, graphInput("a", DType.INT64, 2));
        inputs.add(graphInput("b", DType.INT64, 6));
        node("EitherBranch", List.of("a", "b"), "keep", Map.of());
        NodeResult same = analyze("keep").nodes().get(0);
        assertThat(same.outputs().get(0).shape()).isEqualTo(dims(6));
        assertThat(same.outputs().get(0).dataDependent()).isTrue();
        assertThat(same.cost().ops()).isZero();
        assertThat(same.note()).contains("larger of the two");

        // BoxCoder.decode's `if box_sum > 0: reshape(codes, [box_sum, -1, 4])`: ranks differ, so the branch the condition
        // takes at the bounds (here the second, at_bound 1).
        nodes.clear();
        inputs.add(graphInput("d", DType.INT64, 6, 4, 1));
        node("EitherBranch", List.of("b", "d"), "codes", Map.of("at_bound", new Attribute.Int(1)));
        NodeResult taken = analyze("codes").nodes().get(0);
        assertThat(taken.outputs().get(0).shape()).isEqualTo(dims(6, 4, 1));
        assertThat(taken.outputs().get(0).dataDependent()).isTrue();
    }

    @Test
    void uniqueIsBoundedByItsInputsElements() {
        inputs.set(0, graphInput("labels", DType.INT64, 2, 5));
        nodes.add(new Node("u", "Unique", List.of("labels"), List.of("y", "indices", "inverse", "counts"), Map.of(), ""));
        NodeResult result = analyze("y").nodes().get(0);
        // At most 10 distinct values of 10 elements; at most 10 x 9 / 2 = 45 comparisons.
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(10));
        assertThat(result.outputs().get(2).shape()).isEqualTo(dims(10));
        assertThat(result.outputs().get(0).dataDependent()).isTrue();
        assertThat(result.cost().ops()).isEqualTo(45);
        assertThat(result.note()).contains("at most 10");
    }

    @Test
    void aNodeThatTakesASizeReadFromDataIsDataDependentAndSaysSo() {
        // TorchScript's torch.zeros([n, 3]) with n a bounded int at 4: ConstantOfShape of [4, 3], marked by the loader.
        constants.put("shape", new ConstTensor(DType.INT64, Shape.of(2), ConstData.ofInts(4, 3)));
        node("ConstantOfShape", List.of("shape"), "zeros", Map.of(dev.tally.analysis.ShapePass.DATA_DEPENDENT, new Attribute.Int(1)));
        NodeResult result = analyze("zeros").nodes().get(0);
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(4, 3));
        assertThat(result.outputs().get(0).dataDependent()).isTrue();
        assertThat(result.note()).contains("read from a data-dependent value");
    }
    @Test
    void nonZeroGivesItsBoundAndTaintsWhatItFeeds() {
        inputs.set(0, graphInput("x", DType.FLOAT32, 2, 3));
        node("NonZero", List.of("x"), "nz", Map.of());
        node("Transpose", List.of("nz"), "pairs", Map.of());
        node("Cast", List.of("pairs"), "pairsF", Map.of("to", new Attribute.Int(1)));
        node("MatMul", List.of("pairsF", "P"), "y", Map.of());
        Analysis analysis = analyze("y", new Param("P", Shape.of(2, 5), DType.FLOAT32, Role.PARAM));
        // At most 6 nonzero elements of a 2x3 tensor, 2 indices each; 6 x 5 outputs of 2 products = 60 MACs, a bound.
        assertThat(analysis.nodes().get(0).outputs().get(0).shape()).isEqualTo(dims(2, 6));
        assertThat(analysis.nodes().get(3).outputs().get(0).shape()).isEqualTo(dims(6, 5));
        assertThat(analysis.nodes()).allMatch(NodeResult::dataDependent);
        DataDependence dependence = SummaryBuilder.build(analysis).dataDependence();
        assertThat(dependence.macs()).isEqualTo(60);
        assertThat(dependence.sources()).singleElement().satisfies(s -> assertThat(s.note()).contains("at most 6"));
    }

    @Test
    void theReportsMarkDataDependentRowsAndGiveTheBoundedPart() {
        inputs.set(0, graphInput("x", DType.FLOAT32, 2, 3));
        node("Relu", List.of("x"), "r", Map.of());
        node("NonZero", List.of("r"), "nz", Map.of());
        Summary summary = SummaryBuilder.build(analyze("nz"));
        String html = new dev.tally.report.html.HtmlRenderer().render(summary, dev.tally.analysis.Convention.MACS);
        assertThat(html).contains("<tr class=\"data-dependent\">").contains("id=\"data-dependent-legend\"")
                .contains("<section id=\"data-dependent\">");
        // The Relu before the NonZero is exact: its row is not marked.
        assertThat(html.split("<tr class=\"data-dependent\">", -1)).hasSize(2);
        String json = new dev.tally.report.JsonRenderer().render(summary, dev.tally.analysis.Convention.MACS);
        assertThat(json).contains("\"dataDependent\"").contains("\"dataDependentNodes\"").contains("at most 6");
        String table = new dev.tally.report.TableRenderer().render(summary, dev.tally.analysis.Convention.MACS);
        assertThat(table).contains("NonZero <=").contains("Data-dependent (counts at the bounds")
                .contains("nz 2x6 int64 (data-dependent: at most this)");
    }

    @Test
    void nonMaxSuppressionIsBoundedByBatchTimesClassesTimesTheBoxesKeptPerClass() {
        inputs.set(0, graphInput("boxes", DType.FLOAT32, 1, 10, 4));
        inputs.add(graphInput("scores", DType.FLOAT32, 1, 3, 10));
        constants.put("max", new ConstTensor(DType.INT64, Shape.of(1), ConstData.ofInts(4)));
        node("NonMaxSuppression", List.of("boxes", "scores", "max"), "kept", Map.of());
        NodeResult result = analyze("kept").nodes().get(0);
        // 1 batch x 3 classes x min(4, 10) boxes; at most 10 x 9 / 2 = 45 overlap tests per class: 135 ops.
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(12, 3));
        assertThat(result.cost().ops()).isEqualTo(135);
        assertThat(result.dataDependent()).isTrue();

        nodes.clear();
        node("NonMaxSuppression", List.of("boxes", "scores"), "kept", Map.of());
        assertThat(analyze("kept").nodes().get(0).outputs().get(0).shape()).isEqualTo(dims(0, 3));
    }

    @Test
    void topKWithAComputedKTakesTheAxisSizeAsItsBound() {
        inputs.set(0, graphInput("x", DType.FLOAT32, 2, 7));
        inputs.add(graphInput("k", DType.INT64, 1));
        nodes.add(new Node("topk", "TopK", List.of("x", "k"), List.of("values", "indices"), Map.of(), ""));
        NodeResult result = analyze("values").nodes().get(0);
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(2, 7));
        assertThat(result.outputs().get(1).dataDependent()).isTrue();
        assertThat(result.note()).contains("at most 7");
    }

    @Test
    void aLoopWithAStaticTripCountIsUnrolledInTheCountAndStacksItsScanOutputs() {
        constants.put("M", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(5)));
        constants.put("go", bool(true));
        inputs.add(graphInput("acc", DType.FLOAT32, 1, 4));
        nodes.add(new Node("loop", "Loop", List.of("M", "go", "acc"), List.of("total", "steps"),
                Map.of("body", new Attribute.SubGraph(loopBody())), ""));
        NodeResult result = analyze("total").nodes().get(0);
        // 5 iterations of 32 MACs, and the Add's 4 ops each.
        assertThat(result.cost().macs()).isEqualTo(160);
        assertThat(result.cost().ops()).isEqualTo(5 * (32 + 4));
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(1, 4));
        assertThat(result.outputs().get(1).shape()).isEqualTo(dims(5, 1, 4));
        assertThat(result.dataDependent()).isFalse();
    }

    @Test
    void aLoopWithoutAKnownTripCountIsCountedPerIterationAndSaysSo() {
        inputs.add(graphInput("M", DType.INT64));
        inputs.add(graphInput("acc", DType.FLOAT32, 1, 4));
        constants.put("go", bool(true));
        nodes.add(new Node("loop", "Loop", List.of("M", "go", "acc"), List.of("total", "steps"),
                Map.of("body", new Attribute.SubGraph(loopBody())), ""));
        node("Relu", List.of("steps"), "after", Map.of());
        Analysis analysis = analyze("after");
        NodeResult loop = analysis.nodes().get(0);
        assertThat(loop.cost().macs()).isEqualTo(32);
        assertThat(loop.note()).contains("trip count unknown").contains("one iteration's");
        assertThat(loop.dataDependent()).isTrue();
        // The stacked output has no size without a trip count: what reads it is listed, not counted as zero.
        assertThat(analysis.nodes().get(1).status()).isEqualTo(NodeResult.Status.UNRESOLVED);
    }

    @Test
    void aScanRunsItsBodyOncePerSliceOfTheScanAxis() {
        inputs.set(0, graphInput("seq", DType.FLOAT32, 5, 8));
        inputs.add(graphInput("state", DType.FLOAT32, 1, 4));
        List<Node> body = List.of(
                new Node("b0", "Unsqueeze", List.of("xt"), List.of("row"), Map.of("axes", Attribute.ints(0)), ""),
                new Node("b1", "MatMul", List.of("row", "W"), List.of("prod"), Map.of(), ""),
                new Node("b2", "Add", List.of("s_in", "prod"), List.of("s_out"), Map.of(), ""));
        Graph graph = new Graph("scan_body", List.of(graphInput("s_in", DType.FLOAT32, 1, 4), graphInput("xt", DType.FLOAT32, 8)),
                List.of(new Value("s_out", Optional.empty()), new Value("prod", Optional.empty())), body, Map.of(), Map.of());
        nodes.add(new Node("scan", "Scan", List.of("state", "seq"), List.of("final", "rows"),
                Map.of("body", new Attribute.SubGraph(graph), "num_scan_inputs", new Attribute.Int(1)), ""));
        NodeResult result = analyze("final").nodes().get(0);
        assertThat(result.cost().macs()).isEqualTo(5 * 32);
        assertThat(result.outputs().get(0).shape()).isEqualTo(dims(1, 4));
        assertThat(result.outputs().get(1).shape()).isEqualTo(dims(5, 1, 4));
    }

    @Test
    void subgraphsNestedDeeperThanTheLimitAreRefusedWithOneSentence() {
        constants.put("yes", bool(true));
        Graph innermost = branch("deep", List.of(new Node("leaf", "Relu", List.of("x"), List.of("r"), Map.of(), "")), "r");
        for (int level = 0; level <= Subgraphs.MAX_DEPTH; level++) {
            Node nested = new Node("if" + level, "If", List.of("yes"), List.of("o" + level),
                    Map.of("then_branch", new Attribute.SubGraph(innermost), "else_branch", new Attribute.SubGraph(innermost)), "");
            innermost = branch("level" + level, List.of(nested), "o" + level);
        }
        nodes.addAll(innermost.nodes());
        String last = nodes.get(0).outputs().get(0);
        assertThatThrownBy(() -> analyze(last)).isInstanceOf(ModelException.class)
                .hasMessageContaining("control.onnx: Node 'if")
                .hasMessageEndingWith("its subgraphs nest more than 16 levels deep, and Tally analyses at most 16 levels of If, Loop and Scan bodies.");
    }

    @Test
    void loopsWhoseCarriedShapesGrowInEveryIterationCannotMultiplyTheWorkWithoutBound() {
        // Each level's body runs the level below on its carried value, then appends x: a new shape every iteration, so
        // three nested Loops of 64 iterations would need 64 + 64^2 + 64^3 body analyses.
        constants.put("M", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(64)));
        constants.put("go", bool(true));
        Graph body = growingBody(List.of());
        for (int level = 0; level < 2; level++) {
            body = growingBody(List.of(new Node("inner" + level, "Loop", List.of("M", "c_in", "acc_in"), List.of("grown"),
                    Map.of("body", new Attribute.SubGraph(body)), "")));
        }
        nodes.add(new Node("loop", "Loop", List.of("M", "go", "x"), List.of("total"), Map.of("body", new Attribute.SubGraph(body)), ""));
        assertThatThrownBy(() -> analyze("total")).isInstanceOf(ModelException.class)
                .hasMessageEndingWith("its subgraphs need more than 10000 body analyses in all, more than Tally makes for one"
                        + " model; the file is hostile or its loops change shape in every iteration.");
    }

    /** (i, cond, acc) -> (cond, concat(inner(acc) or acc, x)): the carried value grows by one row per iteration. */
    private static Graph growingBody(List<Node> inner) {
        List<Node> body = new ArrayList<>(inner);
        String grown = inner.isEmpty() ? "acc_in" : "grown";
        body.add(new Node("id", "Identity", List.of("c_in"), List.of("c_out"), Map.of(), ""));
        body.add(new Node("cat", "Concat", List.of(grown, "x"), List.of("acc_out"), Map.of("axis", new Attribute.Int(0)), ""));
        return new Graph("grow", List.of(graphInput("i", DType.INT64), graphInput("c_in", DType.BOOL), graphInput("acc_in", DType.FLOAT32, 1, 8)),
                List.of(new Value("c_out", Optional.empty()), new Value("acc_out", Optional.empty())), body, Map.of(), Map.of());
    }

    /** If(cond) then x @ W else (x @ V) @ W, both reading x, W and V from the outer graph. */
    private static Node ifNode(String cond) {
        Graph then = branch("then", List.of(new Node("t0", "MatMul", List.of("x", "W"), List.of("t"), Map.of(), "")), "t");
        Graph otherwise = branch("else", List.of(new Node("e0", "MatMul", List.of("x", "V"), List.of("e1"), Map.of(), ""),
                new Node("e1", "MatMul", List.of("e1", "W"), List.of("e"), Map.of(), "")), "e");
        return new Node("if", "If", List.of(cond), List.of("y"),
                Map.of("then_branch", new Attribute.SubGraph(then), "else_branch", new Attribute.SubGraph(otherwise)), "");
    }

    /** (i, cond, acc) -> (cond, acc + x @ W, x @ W). */
    private static Graph loopBody() {
        List<Node> body = List.of(
                new Node("l0", "Identity", List.of("c_in"), List.of("c_out"), Map.of(), ""),
                new Node("l1", "MatMul", List.of("x", "W"), List.of("step"), Map.of(), ""),
                new Node("l2", "Add", List.of("acc_in", "step"), List.of("acc_out"), Map.of(), ""));
        return new Graph("loop_body", List.of(graphInput("i", DType.INT64), graphInput("c_in", DType.BOOL),
                graphInput("acc_in", DType.FLOAT32, 1, 4)), List.of(new Value("c_out", Optional.empty()),
                new Value("acc_out", Optional.empty()), new Value("step", Optional.empty())), body, Map.of(), Map.of());
    }

    private static Graph branch(String name, List<Node> body, String output) {
        return new Graph(name, List.of(), List.of(new Value(output, Optional.empty())), body, Map.of(), Map.of());
    }

    private Analysis analyze(String output, Param... extra) {
        Map<String, Param> params = new LinkedHashMap<>();
        params.put("W", new Param("W", Shape.of(8, 4), DType.FLOAT32, Role.PARAM));
        params.put("V", new Param("V", Shape.of(8, 8), DType.FLOAT32, Role.PARAM));
        for (Param param : extra) {
            params.put(param.name(), param);
        }
        Map<String, ConstTensor> known = new LinkedHashMap<>(constants);
        known.values().removeIf(java.util.Objects::isNull);
        Graph graph = new Graph("control", inputs, List.of(new Value(output, Optional.empty())), nodes, params, known);
        return new Analyzer().analyze(new Model(Path.of("control.onnx"), ModelFormat.ONNX, "test", graph, List.of()),
                Map.of(), true);
    }

    private void node(String op, List<String> in, String output, Map<String, Attribute> attributes) {
        nodes.add(new Node("/" + op + "_" + nodes.size(), op, in, List.of(output), attributes, ""));
    }

    private static ConstTensor bool(boolean value) {
        return new ConstTensor(DType.BOOL, Shape.scalar(), ConstData.ofInts(value ? 1 : 0));
    }
}
