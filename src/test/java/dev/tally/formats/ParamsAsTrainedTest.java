package dev.tally.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An ONNX file whose exporter folded BatchNorms into Convs reports {@code paramsAsTrained}: its params plus what the
 * fold removed, each folded Conv identified by its module path in the catalog architecture (C per BatchNorm after a
 * bias-free Conv, 2C after one with a bias). It equals PyTorch's own {@code sum(p.numel())} for every fixture model
 * with folded BatchNorms; a file without folding has no such field.
 */
class ParamsAsTrainedTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> models() {
        return Fixtures.models().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void foldedBatchNormsAreIdentifiedAndTheCountAsTrainedIsPyTorchs(String model) throws IOException {
        Fixtures.Expected pytorch = Fixtures.expected(model);
        CheckpointsEverywhereTest.Run run = CheckpointsEverywhereTest.run("summary", Fixtures.file(model + ".onnx").toString(), "--format", "json");
        JsonNode report = CheckpointsEverywhereTest.json(run);
        JsonNode totals = report.get("totals");
        int folded = report.get("model").path("foldedBatchNorms").asInt(0);
        if (folded == 0) {
            assertThat(totals.has("paramsAsTrained")).as(model).isFalse();
            return;
        }
        assertThat(totals.get("paramsAsTrained").asLong()).as(model).isEqualTo(pytorch.params());
        assertThat(totals.get("params").asLong()).as(model).isLessThan(pytorch.params());
        List<String> fields = new ArrayList<>();
        totals.fieldNames().forEachRemaining(fields::add);
        assertThat(fields.get(fields.size() - 1)).as("added at the end of totals").isEqualTo("paramsAsTrained");
        assertThat(report.get("notes").toString()).contains("folded BatchNorms are identified");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"table", "markdown", "html"})
    void theCountAsTrainedIsShownInEveryTextFormat(String format) {
        CheckpointsEverywhereTest.Run run = CheckpointsEverywhereTest.run("summary", Fixtures.file("resnet50.onnx").toString(), "--format", format);
        assertThat(run.code()).as(run.err()).isZero();
        String label = format.equals("table") ? "as trained" : "Params as trained";
        assertThat(run.out()).contains(label).contains("25,557,032");
        if (format.equals("html")) {
            assertThat(run.out()).contains("paramsAsTrained");
        }
    }

    @Test
    void aFileWithoutFoldingShowsNoCountAsTrained() {
        CheckpointsEverywhereTest.Run run = CheckpointsEverywhereTest.run("summary", Fixtures.file("vgg16.onnx").toString());
        assertThat(run.out()).doesNotContain("as trained");
    }

    @Test
    void aBaselineFromAFoldedOnnxFileSaysWhyInJsonToo(@TempDir Path dir) {
        Path baseline = dir.resolve("resnet18.json");
        CheckpointsEverywhereTest.Run summary = CheckpointsEverywhereTest.run("summary", Fixtures.file("resnet18.onnx").toString(),
                "--format", "json", "--out", baseline.toString());
        assertThat(summary.code()).as(summary.err()).isZero();
        CheckpointsEverywhereTest.Run check = CheckpointsEverywhereTest.run("check", Fixtures.file("resnet18.pth").toString(),
                "--baseline", baseline.toString(), "--max-growth", "params=0%", "--format", "json");
        assertThat(check.code()).isEqualTo(1);
        assertThat(check.out()).contains("'onnx'", "'checkpoint (.pth)'", "20 BatchNorms folded by the exporter");
    }
}
