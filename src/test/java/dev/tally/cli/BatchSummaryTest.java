package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.report.batch.BatchRunner;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally summary FOLDER} and {@code summary A B}: one row per model, in-process. */
class BatchSummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final java.util.Set<String> CHECKED_AGAINST_PYTORCH = java.util.Set.of(
            "lenet5.onnx", "alexnet.onnx", "vgg11.onnx", "vgg16.onnx", "vgg19.onnx", "squeezenet1_1.onnx");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aBatchOverTheWholeFixtureFolderFinishesWithOneRowPerFileAndNoProgressBarWithoutAConsole() throws IOException {
        assertThat(System.console()).as("tests run without a console, as CI does").isNull();
        Path fixtures = Fixtures.dir();
        List<Path> files = BatchRunner.collect(List.of(fixtures));
        Run run = run("summary", fixtures.toString(), "--format", "json");
        JsonNode models = JSON.readTree(run.out()).get("models");
        assertThat(models).hasSize(files.size());
        int errors = 0;
        int checked = 0;
        for (JsonNode model : models) {
            String path = model.get("path").asText();
            if (!model.get("error").isNull()) {
                errors++;
                continue;
            }
            JsonNode totals = model.get("totals");
            assertThat(totals.get("flops").asLong()).as(path).isEqualTo(2 * totals.get("macs").asLong());
            String name = Path.of(path).getFileName().toString();
            // The rows are the single-model figures: checked against PyTorch on the plain CNNs of the core issue,
            // whose params and MACs the ONNX export keeps (no BatchNorm folding).
            if (CHECKED_AGAINST_PYTORCH.contains(name)) {
                Fixtures.Expected expected = Fixtures.expected(name.replace(".onnx", ""));
                assertThat(totals.get("params").asLong()).as(name).isEqualTo(expected.params());
                assertThat(totals.get("macs").asLong()).as(name).isEqualTo(expected.macs());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(CHECKED_AGAINST_PYTORCH.size());
        // Every error row is also one line on stderr, and nothing else is: no progress bar, no carriage return.
        assertThat(run.err()).doesNotContain("\r", "[#");
        assertThat(run.err().lines().count()).isEqualTo(errors);
        assertThat(run.code()).isEqualTo(errors == 0 ? 0 : 2);
        assertThat(JSON.readTree(run.out()).get("errors").asInt()).isEqualTo(errors);
    }

    @Test
    void severalFilesGiveOneRowEachAndABadOneMakesTheExitCodeTwoAtTheEnd() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.onnx"), "not a model");
        Run run = run("summary", Fixtures.file("lenet5.onnx").toString(), bad.toString(), "--format", "csv");
        assertThat(run.code()).isEqualTo(2);
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("path,format,input,params,buffers,paramBytes,macs,flops,ops,activationBytes,trainingBytes,complete,error");
        assertThat(lines.get(1)).contains(",onnx,1x1x32x32," + Fixtures.expected("lenet5").params() + ",");
        assertThat(lines.get(2)).startsWith(bad + ",,,").contains("bad.onnx is not a model Tally reads");
        assertThat(run.err()).startsWith("bad.onnx is not a model Tally reads").doesNotContain("Exception");
    }

    @Test
    void aFolderWithoutModelsIsAUsageError() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "x");
        Run run = run("summary", dir.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("No .onnx, .pt, .pth or .safetensors file under " + dir + "; give model files or a folder that has some.\n");
    }

    @Test
    void depthIsRefusedForABatchRatherThanIgnored() {
        String lenet = Fixtures.file("lenet5.onnx").toString();
        Run run = run("summary", lenet, lenet, "--depth", "1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("--depth folds one model's layers, but a batch shows one row per model; give one file, "
                + "or leave --depth out.\n");
    }

    @Test
    void oneFileStillGivesTheFullPerLayerReport() {
        Run run = run("summary", Fixtures.file("lenet5.onnx").toString());
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("Model: ").contains("Totals");
    }
}
