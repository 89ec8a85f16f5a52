package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.NodeResult;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * verify on a detection model in eval mode (ssdlite320_mobilenet_v3_large of scripts/export_verify_detection.py, with
 * its weights) in both engines: ONNX Runtime runs the ONNX file, DJL's PyTorch engine the scripted file (whose NMS is
 * written in plain tensor ops, as libtorch there has no torchvision ops; the script checked its outputs equal
 * torchvision's). The box count depends on the data, and every cross-check passes with the data-dependent outputs (and,
 * in ONNX Runtime, intermediate values) compared as "matches the bound" (the same rank, no axis larger).
 */
class VerifyDetectionTest {
    private static final String NAME = "ssdlite320_mobilenet_v3_large";
    private static final String FOLDER = "verify-detection";
    private static final String SCRIPT = "export_verify_detection.py";

    @Test
    void aDetectionModelVerifiesInOnnxRuntimeWithItsDataDependentOutputsWithinTheirBounds() throws IOException {
        Path file = Fixtures.made(FOLDER, NAME + ".onnx", SCRIPT);
        JsonNode expected = expected();
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(file, Map.of()), Map.of(), false);

        VerificationReport report = Engines.verifier().verify(analysis);

        assertVerifiedWithinTheBound(analysis, report, expected);
        assertThat(report.notes()).anyMatch(n -> n.contains("data-dependent sizes: each matched its bound"));
    }

    @Test
    void theScriptedDetectorVerifiesInDjlWithItsDataDependentOutputsWithinTheirBounds() throws IOException {
        Path file = Fixtures.made(FOLDER, NAME + ".scripted.pt", SCRIPT);
        JsonNode expected = expected();
        // What the script checked before writing the file: the scripted model's boxes, scores and labels equal the
        // eager model's with torchvision::nms, and no torchvision op is left for libtorch to miss.
        JsonNode scripted = expected.path("scripted");
        assertThat(scripted.path("equalToTorchvisionNms").asBoolean()).as("expected.json 'scripted' (made by " + SCRIPT + ")").isTrue();
        assertThat(scripted.path("torchvisionOpsLeft").asInt(-1)).isZero();
        List<Long> input = new ArrayList<>();
        expected.get("inputShape").forEach(d -> input.add(d.asLong()));
        Map<String, Shape> shapes = Map.of(InputShapes.UNNAMED, new Shape(input));
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(file, shapes), shapes, false);
        // The whole forward is followed, the NMS included: nothing is left as a gap or an op without a rule.
        assertThat(analysis.nodes()).filteredOn(n -> n.status() != NodeResult.Status.COUNTED)
                .extracting(n -> n.node().describe()).isEmpty();

        VerificationReport report = Engines.verifier().verify(analysis);

        assertVerifiedWithinTheBound(analysis, report, expected);
        assertThat(report.engine()).startsWith("DJL");
        assertThat(report.checks()).anyMatch(c -> c.check().startsWith("params (") && c.pass());
        assertThat(report.notes()).anyMatch(n -> n.contains("'images' as a List[Tensor]"));
    }

    @Test
    void aMissingFixtureFailsWithTheCommandThatMakesIt() {
        assertThatThrownBy(() -> Fixtures.made(FOLDER, "no-such-model.scripted.pt", SCRIPT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-model.scripted.pt is missing")
                .hasMessageContaining("make it with: /usr/bin/python3 scripts/" + SCRIPT);
    }

    private static JsonNode expected() throws IOException {
        return new ObjectMapper().readTree(Fixtures.made(FOLDER, NAME + ".expected.json", SCRIPT).toFile());
    }

    /**
     * Every check passed; the three outputs (boxes, scores, labels) were compared with the bound, which is the model's
     * own detections_per_img; PyTorch's eval-mode outputs on an image of the same size are within it.
     */
    private static void assertVerifiedWithinTheBound(Analysis analysis, VerificationReport report, JsonNode expected) {
        long bound = expected.get("detectionsPerImg").asLong();
        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(report.passed()).isTrue();
        List<Check> outputs = report.checks().stream().filter(c -> c.check().startsWith("output ")).toList();
        assertThat(outputs).hasSize(3).allSatisfy(c -> assertThat(c.check()).endsWith("matches the bound)"));
        List<Shape> bounds = new ArrayList<>();
        analysis.outputs().forEach(o -> bounds.add(o.info().orElseThrow().shape()));
        assertThat(bounds).containsExactly(Shape.of(bound, 4), Shape.of(bound), Shape.of(bound));
        for (int i = 0; i < bounds.size(); i++) {
            List<Long> ran = new ArrayList<>();
            expected.get("outputShapes").get(i).forEach(d -> ran.add(d.asLong()));
            assertThat(CrossChecks.withinBound(bounds.get(i), new Shape(ran))).as("PyTorch's output " + i).isTrue();
        }
    }
}
