package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * verify on a detection model in eval mode (ssdlite320_mobilenet_v3_large of scripts/export_verify_detection.py, ONNX
 * with its weights): ONNX Runtime runs it, its box count depends on the data, and every cross-check passes with the
 * data-dependent outputs and intermediate values compared as "matches the bound" (the same rank, no axis larger).
 */
class VerifyDetectionTest {
    private static final String NAME = "ssdlite320_mobilenet_v3_large";

    @Test
    void aDetectionModelVerifiesWithItsDataDependentOutputsWithinTheirBounds() throws IOException {
        Path dir = Fixtures.dir().resolve("verify-detection");
        Path file = dir.resolve(NAME + ".onnx");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("No " + file + "; make it with: /usr/bin/python3 scripts/export_verify_detection.py"
                    + " (scripts/test does it for you).");
        }
        JsonNode expected = new ObjectMapper().readTree(dir.resolve(NAME + ".expected.json").toFile());
        long bound = expected.get("detectionsPerImg").asLong();
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(file, Map.of()), Map.of(), false);

        VerificationReport report = Engines.verifier().verify(analysis);

        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(report.passed()).isTrue();
        List<Check> outputs = report.checks().stream().filter(c -> c.check().startsWith("output ")).toList();
        assertThat(outputs).hasSize(3).allSatisfy(c -> assertThat(c.check()).endsWith("matches the bound)"));
        // The bound is the model's own detections_per_img, and PyTorch's eval-mode outputs on an image of the same
        // size are within it.
        List<Shape> bounds = new ArrayList<>();
        analysis.outputs().forEach(o -> bounds.add(o.info().orElseThrow().shape()));
        assertThat(bounds).containsExactly(Shape.of(bound, 4), Shape.of(bound), Shape.of(bound));
        for (int i = 0; i < bounds.size(); i++) {
            List<Long> ran = new ArrayList<>();
            expected.get("outputShapes").get(i).forEach(d -> ran.add(d.asLong()));
            assertThat(CrossChecks.withinBound(bounds.get(i), new Shape(ran))).as("PyTorch's output " + i).isTrue();
        }
        assertThat(report.notes()).anyMatch(n -> n.contains("data-dependent sizes: each matched its bound"));
    }
}
