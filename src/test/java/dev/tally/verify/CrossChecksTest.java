package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Cost;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.ResolvedInput;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
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
 * The cross-checks on a hand-made analysis of a two-node network, no engine involved:
 * x 1x3x8x8 -> Conv 'features.0' (W 4x3x3x3, B 4) -> y 1x4x6x6 -> MaxPool 'features.1' (k2, s2) -> z 1x4x3x3.
 * Params by hand: 4*3*3*3 + 4 = 112; BatchNorm-like buffer 'stat' of 4 elements; shape constant 'shape' of 2.
 */
class CrossChecksTest {
    private static final Param WEIGHT = new Param("W", Shape.of(4, 3, 3, 3), DType.FLOAT32, Role.PARAM);
    private static final Param BIAS = new Param("B", Shape.of(4), DType.FLOAT32, Role.PARAM);
    private static final Param STAT = new Param("stat", Shape.of(4), DType.FLOAT32, Role.BUFFER);
    private static final Param SHAPE = new Param("shape", Shape.of(2), DType.INT64, Role.CONSTANT);
    private static final Node CONV = new Node("/features/features.0/Conv", "Conv", List.of("x", "W", "B"), List.of("y"),
            Map.of(), "features.0");
    private static final Node POOL = new Node("/features/features.1/MaxPool", "MaxPool", List.of("y"), List.of("z"),
            Map.of(), "features.1");

    private static Analysis analysis(List<Param> convParams, Shape poolOutput) {
        Map<String, Param> params = new LinkedHashMap<>();
        for (Param p : List.of(WEIGHT, BIAS, STAT, SHAPE)) {
            params.put(p.name(), p);
        }
        Graph graph = new Graph("tiny", List.of(new Value("x", Optional.empty())), List.of(new Value("z", Optional.empty())),
                List.of(CONV, POOL), params, Map.of());
        Model model = new Model(Path.of("tiny.onnx"), ModelFormat.ONNX, "pytorch 1.13.1", graph, List.of());
        TensorInfo z = TensorInfo.of(DType.FLOAT32, poolOutput);
        List<NodeResult> nodes = List.of(
                new NodeResult(CONV, NodeResult.Status.COUNTED, List.of(TensorInfo.of(DType.FLOAT32, Shape.of(1, 4, 6, 6))),
                        Cost.ZERO, convParams, 576),
                new NodeResult(POOL, NodeResult.Status.COUNTED, List.of(z), Cost.ZERO, List.of(), 144));
        return new Analysis(model,
                List.of(new ResolvedInput("x", DType.FLOAT32, Shape.of(1, 3, 8, 8), ResolvedInput.Source.MODEL)),
                List.of(new Analysis.Output("z", Optional.of(z))), nodes, List.of(STAT), List.of());
    }

    private static Analysis correct() {
        return analysis(List.of(WEIGHT, BIAS), Shape.of(1, 4, 3, 3));
    }

    private static List<StoredWeights.Stored> storedAsDeclared() {
        return List.of(new StoredWeights.Stored("W", 108, 108, "raw_data"), new StoredWeights.Stored("B", 4, 4, "raw_data"),
                new StoredWeights.Stored("stat", 4, 4, "raw_data"), new StoredWeights.Stored("shape", 2, 2, "int64_data"));
    }

    @Test
    void staticTallyCountsParamsAndBuffersApartAndLeavesConstantsOut() {
        assertThat(CrossChecks.Tally.of(correct())).isEqualTo(new CrossChecks.Tally(112, 4));
    }

    @Test
    void outputShapeThatMatchesPassesAndOneThatDiffersFailsShowingBoth() {
        assertThat(CrossChecks.outputShapes(correct(), List.of(Shape.of(1, 4, 3, 3)), "ONNX Runtime"))
                .containsExactly(new Check("output 'z' shape (ONNX Runtime)", "1x4x3x3", "1x4x3x3", true));
        assertThat(CrossChecks.outputShapes(correct(), List.of(Shape.of(1, 4, 2, 2)), "ONNX Runtime"))
                .containsExactly(new Check("output 'z' shape (ONNX Runtime)", "1x4x3x3", "1x4x2x2", false));
    }

    /** {@link #correct()} with the pool's output data-dependent: at most 1 x 4 x 3 x 3. */
    private static Analysis bounded() {
        Analysis exact = correct();
        TensorInfo z = exact.outputs().get(0).info().orElseThrow().asDataDependent();
        List<NodeResult> nodes = List.of(exact.nodes().get(0), new NodeResult(POOL, NodeResult.Status.COUNTED, List.of(z),
                Cost.ZERO, List.of(), 144));
        return new Analysis(exact.model(), exact.inputs(), List.of(new Analysis.Output("z", Optional.of(z))), nodes,
                List.of(STAT), List.of());
    }

    @Test
    void aDataDependentOutputMatchesItsBoundWhenNoAxisIsLargerAndTheRankIsTheSame() {
        assertThat(CrossChecks.outputShapes(bounded(), List.of(Shape.of(1, 4, 2, 3)), "ONNX Runtime")).containsExactly(
                new Check("output 'z' shape (ONNX Runtime, matches the bound)", "at most 1x4x3x3", "1x4x2x3", true));
        assertThat(CrossChecks.outputShapes(bounded(), List.of(Shape.of(1, 4, 4, 3)), "ONNX Runtime")).extracting(Check::pass)
                .containsExactly(false);
        assertThat(CrossChecks.outputShapes(bounded(), List.of(Shape.of(4, 2, 3)), "ONNX Runtime")).extracting(Check::pass)
                .as("another rank").containsExactly(false);
        List<String> notes = new ArrayList<>();
        Check check = CrossChecks.intermediateShapes(bounded(), Map.of("y", Shape.of(1, 4, 6, 6), "z", Shape.of(1, 4, 0, 3)),
                "ONNX Runtime", notes);
        assertThat(check).isEqualTo(new Check("every intermediate shape (ONNX Runtime)", "2 values as the shape pass predicts",
                "all 2 equal or within their bounds", true));
        assertThat(notes).containsExactly("1 intermediate values have data-dependent sizes: each matched its bound (the same"
                + " rank, no axis larger than the shape pass's bound), not an exact shape.");
    }

    @Test
    void anEngineWithMoreOutputsThanTheGraphFailsTheOutputCount() {
        List<Check> checks = CrossChecks.outputShapes(correct(), List.of(Shape.of(1, 4, 3, 3), Shape.of(1)), "DJL");
        assertThat(checks).first().isEqualTo(new Check("output count (DJL)", "1", "2", false));
    }

    @Test
    void intermediateShapesAllEqualPass() {
        List<String> notes = new ArrayList<>();
        Check check = CrossChecks.intermediateShapes(correct(),
                Map.of("y", Shape.of(1, 4, 6, 6), "z", Shape.of(1, 4, 3, 3)), "ONNX Runtime", notes);
        assertThat(check).isEqualTo(new Check("every intermediate shape (ONNX Runtime)", "2 values as the shape pass predicts",
                "all 2 equal", true));
        assertThat(notes).isEmpty();
    }

    @Test
    void aWrongPoolShapeFailsAndNamesTheFirstNodeWhereTheShapesPart() {
        Analysis wrong = analysis(List.of(WEIGHT, BIAS), Shape.of(1, 4, 4, 4));
        Check check = CrossChecks.intermediateShapes(wrong,
                Map.of("y", Shape.of(1, 4, 6, 6), "z", Shape.of(1, 4, 3, 3)), "ONNX Runtime", new ArrayList<>());
        assertThat(check.pass()).isFalse();
        assertThat(check.actual()).isEqualTo("first differs at Node '/features/features.1/MaxPool' (MaxPool), layer 'features.1':"
                + " value 'z' is 1x4x3x3, predicted 1x4x4x4 (1 of 2 differ)");
    }

    @Test
    void valuesTheEngineDidNotProduceAreNotedNotCompared() {
        List<String> notes = new ArrayList<>();
        Check check = CrossChecks.intermediateShapes(correct(), Map.of("z", Shape.of(1, 4, 3, 3)), "ONNX Runtime", notes);
        assertThat(check.pass()).isTrue();
        assertThat(check.expected()).isEqualTo("1 values as the shape pass predicts");
        assertThat(notes).containsExactly("1 intermediate values the shape pass resolved were not among ONNX Runtime's outputs, so they were not compared.");
    }

    @Test
    void engineParamsEqualToTheStaticParamsPass() {
        Check check = CrossChecks.engineParams(correct(), List.of(new PtRunner.Tensor("features.0.weight", 108),
                new PtRunner.Tensor("features.0.bias", 4)));
        assertThat(check).isEqualTo(new Check("params (2 DJL parameter tensors)", "112", "112", true));
    }

    @Test
    void aStaticTallyMissingTheBiasFailsTheEngineParamCheck() {
        Analysis missingBias = analysis(List.of(WEIGHT), Shape.of(1, 4, 3, 3));
        Check check = CrossChecks.engineParams(missingBias, List.of(new PtRunner.Tensor("features.0.weight", 108),
                new PtRunner.Tensor("features.0.bias", 4)));
        assertThat(check).isEqualTo(new Check("params (2 DJL parameter tensors)", "108", "112", false));
    }

    @Test
    void storedBytesMatchingTheDimsPassForParamsAndBuffersAndSkipConstants() {
        assertThat(CrossChecks.storedParams(correct(), storedAsDeclared())).containsExactly(
                new Check("params (elements in the stored bytes of 2 tensors)", "112", "112", true),
                new Check("buffers (elements in the stored bytes of 1 tensors)", "4", "4", true));
    }

    @Test
    void aStaticTallyMissingTheBiasFailsTheStoredBytesCheck() {
        Analysis missingBias = analysis(List.of(WEIGHT), Shape.of(1, 4, 3, 3));
        assertThat(CrossChecks.storedParams(missingBias, storedAsDeclared())).first()
                .isEqualTo(new Check("params (elements in the stored bytes of 2 tensors)", "108", "112", false));
    }

    @Test
    void storedBytesThatDisagreeWithTheirDimsFailAndNameTheInitializer() {
        List<StoredWeights.Stored> truncated = new ArrayList<>(storedAsDeclared());
        truncated.set(0, new StoredWeights.Stored("W", 100, 108, "raw_data"));
        Check check = CrossChecks.storedParams(correct(), truncated).get(0);
        assertThat(check.pass()).isFalse();
        assertThat(check.actual()).isEqualTo("104; 'W' stores 100 elements in raw_data, its dims say 108");
    }

    /** torch.onnx stores equal tensors once and names the copy through an Identity node; PyTorch counts both. */
    @Test
    void aTensorTheLoaderSplitBackFromAMergedInitializerCountsItsSourceBytesAgain() {
        Param copy = new Param("stat_copy", "B", Shape.of(4), DType.FLOAT32, Role.BUFFER);
        Analysis base = correct();
        Map<String, Param> params = new LinkedHashMap<>(base.model().graph().params());
        params.put(copy.name(), copy);
        Graph graph = base.model().graph();
        Model model = new Model(base.model().path(), ModelFormat.ONNX, "", new Graph(graph.name(), graph.inputs(),
                graph.outputs(), graph.nodes(), params, Map.of()), List.of());
        Analysis withCopy = new Analysis(model, base.inputs(), base.outputs(), base.nodes(), List.of(STAT, copy), List.of());

        assertThat(CrossChecks.storedParams(withCopy, storedAsDeclared())).containsExactly(
                new Check("params (elements in the stored bytes of 2 tensors)", "112", "112", true),
                new Check("buffers (elements in the stored bytes of 2 tensors)", "8", "8", true));
    }

    @Test
    void anInitializerTheLoaderDroppedFailsTheStoredBytesCheckByName() {
        List<StoredWeights.Stored> extra = new ArrayList<>(storedAsDeclared());
        extra.add(new StoredWeights.Stored("lost", 10, 10, "raw_data"));

        Check check = CrossChecks.storedParams(correct(), extra).get(0);

        assertThat(check).isEqualTo(new Check("params (elements in the stored bytes of 3 tensors)", "112",
                "122; initializer 'lost' is not among the model's tensors", false));
    }

    @Test
    void countsAreShownWithThousandsSeparators() {
        assertThat(CrossChecks.count(61_100_840)).isEqualTo("61,100,840");
    }
}
