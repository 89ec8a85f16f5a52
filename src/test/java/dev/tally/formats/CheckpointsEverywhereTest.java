package dev.tally.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.cli.Main;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A checkpoint ({@code torch.save} or safetensors) is a model everywhere a model is accepted: {@code summary} (one
 * file or a folder), {@code compare} (also {@code --catalog}), {@code check}, {@code fit} and {@code Tally.analyze},
 * counted as the catalog architecture its keys and shapes match, with the file's own shapes. Every figure is
 * PyTorch's ({@code <model>.expected.json} of scripts/export_models.py, and scripts/export_checkpoints.py's for the
 * fine-tuned head), and the same as the TorchScript file of the same model gives.
 */
class CheckpointsEverywhereTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode json(Run run) throws IOException {
        assertThat(run.code()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    /** Every fixture model the export script saved a state_dict of. */
    static Stream<String> checkpointModels() {
        return Fixtures.models().stream().filter(m -> Fixtures.expected(m).file("stateDict") != null);
    }

    private static String input(Fixtures.Expected expected) {
        return expected.inputShape().stream().map(String::valueOf).collect(Collectors.joining("x"));
    }

    private static List<Long> shape(JsonNode array) {
        List<Long> dims = new ArrayList<>();
        array.forEach(d -> dims.add(d.asLong()));
        return dims;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpointModels")
    void summaryAndTheApiGivePyTorchsFiguresForEveryFixtureCheckpointAsItsTorchScriptFileDoes(String model) throws IOException {
        Fixtures.Expected pytorch = Fixtures.expected(model);
        Path pth = pytorch.file("stateDict");

        JsonNode report = json(run("summary", pth.toString(), "--format", "json"));
        assertThat(report.get("model").get("format").asText()).isEqualTo("checkpoint (.pth)");
        JsonNode totals = report.get("totals");
        assertThat(totals.get("params").asLong()).as("%s params", model).isEqualTo(pytorch.params());
        assertThat(totals.get("buffers").asLong()).as("%s buffers", model).isEqualTo(pytorch.buffers());
        assertThat(totals.get("macs").asLong()).as("%s MACs", model).isEqualTo(pytorch.macs());
        assertThat(shape(report.get("outputs").get(0).get("shape"))).as("%s output", model).isEqualTo(pytorch.outputShape());
        assertThat(report.get("notes").toString()).contains("the graph is the catalog's");

        Summary api = Tally.analyze(pth, Tally.Options.defaults().withInput(input(pytorch)));
        assertThat(api.model().format().displayName()).isEqualTo("checkpoint (.pth)");
        assertThat(api.totals().params()).isEqualTo(pytorch.params());
        assertThat(api.totals().buffers()).isEqualTo(pytorch.buffers());
        assertThat(api.totals().macs()).isEqualTo(pytorch.macs());
        assertThat(api.outputs().get(0).shape().orElseThrow().dims()).isEqualTo(pytorch.outputShape());

        Path torchScript = pytorch.file("scripted") != null ? pytorch.file("scripted") : pytorch.file("traced");
        Summary scripted = Tally.analyze(torchScript, Tally.Options.defaults().withInput(input(pytorch)));
        assertThat(api.totals().params()).isEqualTo(scripted.totals().params());
        assertThat(api.totals().buffers()).isEqualTo(scripted.totals().buffers());
        assertThat(api.totals().macs()).isEqualTo(scripted.totals().macs());
        assertThat(api.outputs().get(0).shape()).isEqualTo(scripted.outputs().get(0).shape());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpointModels")
    void compareShowsTheCheckpointBesideItsTorchScriptFileWithEqualFiguresAndSaysTheFormatsDiffer(String model) throws IOException {
        Fixtures.Expected pytorch = Fixtures.expected(model);
        Path torchScript = pytorch.file("scripted") != null ? pytorch.file("scripted") : pytorch.file("traced");
        JsonNode compared = json(run("compare", pytorch.file("stateDict").toString(), torchScript.toString(),
                "--input", input(pytorch), "--format", "json"));
        List<JsonNode> models = new ArrayList<>();
        compared.get("models").forEach(models::add);
        assertThat(models).hasSize(2);
        assertThat(models.get(0).get("format").asText()).isEqualTo("checkpoint (.pth)");
        for (String figure : List.of("params", "buffers", "macs")) {
            JsonNode values = compared.get("totals").get(figure).get("values");
            assertThat(values.get(0).asLong()).as("%s %s", model, figure).isEqualTo(values.get(1).asLong());
        }
        assertThat(compared.get("totals").get("params").get("values").get(0).asLong()).isEqualTo(pytorch.params());
        assertThat(compared.get("caveats").toString()).contains("checkpoint (.pth)", "torchscript");
    }

    @Test
    void compareInHtmlNamesTheCheckpointFormatAndTheCaveat() {
        Run html = run("compare", Fixtures.file("resnet18.pth").toString(), Fixtures.file("resnet18.scripted.pt").toString(),
                "--input", "1x3x224x224", "--format", "html");
        assertThat(html.code()).as(html.err()).isZero();
        assertThat(html.out()).contains("checkpoint (.pth)", "data-caveat", "different formats");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet5", "resnet18", "mobilenet_v2", "squeezenet1_1", "densenet121", "efficientnet_b0"})
    void aSafetensorsFileIsCountedWithPyTorchsFiguresAndLabelledAsSuch(String model) throws IOException {
        Fixtures.Expected pytorch = Fixtures.expected(model);
        JsonNode report = json(run("summary", Fixtures.dir().resolve("safetensors/" + model + ".safetensors").toString(), "--format", "json"));
        assertThat(report.get("model").get("format").asText()).isEqualTo("checkpoint (.safetensors)");
        assertThat(report.get("totals").get("params").asLong()).isEqualTo(pytorch.params());
        assertThat(report.get("totals").get("buffers").asLong()).isEqualTo(pytorch.buffers());
        assertThat(report.get("totals").get("macs").asLong()).isEqualTo(pytorch.macs());
        assertThat(shape(report.get("outputs").get(0).get("shape"))).isEqualTo(pytorch.outputShape());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18_head10.pth", "resnet18_head10.legacy.pth", "resnet18_head10.scripted.pt"})
    void aFineTunedHeadIsCountedWithTheFilesOwnShapes(String file) {
        JsonNode pytorch = Fixtures.checkpointsJson("resnet18_head10.expected.json");
        Summary summary = Tally.analyze(Fixtures.checkpoints(file), Tally.Options.defaults().withInput("1x3x224x224"));
        assertThat(summary.totals().params()).isEqualTo(pytorch.get("params").asLong());
        assertThat(summary.totals().buffers()).isEqualTo(pytorch.get("buffers").asLong());
        assertThat(summary.totals().macs()).isEqualTo(pytorch.get("macs").asLong());
        assertThat(summary.outputs().get(0).shape().orElseThrow().dims()).isEqualTo(shape(pytorch.get("outputShape")));
    }

    @Test
    void theMatchedArchitectureAndItsDifferencesAreInTheNotesOfEveryFormat() throws IOException {
        String file = Fixtures.checkpoints("resnet18_head10.legacy.pth").toString();
        for (String format : List.of("table", "markdown", "html", "json")) {
            Run run = run("summary", file, "--format", format);
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out().replace("&#39;", "'")).as(format).contains("checkpoint (.pth)", "catalog", "resnet18",
                    "fc.weight [10, 512] instead of [1000, 512]", "'model' entry");
        }
        Run table = run("summary", file);
        assertThat(table.out()).doesNotContain("onnx", "ONNX opset", ".onnx.data");
    }

    @Test
    void extraTensorsAreCountedAsPyTorchCountsThemAndNamedButAddNoMacs() {
        JsonNode pytorch = Fixtures.checkpointsJson("resnet18_extra.expected.json");
        Summary summary = Tally.analyze(Fixtures.checkpoints("resnet18_extra.pth"));
        assertThat(summary.totals().params()).isEqualTo(pytorch.get("params").asLong());
        assertThat(summary.totals().buffers()).isEqualTo(pytorch.get("buffers").asLong());
        assertThat(summary.totals().macs()).isEqualTo(pytorch.get("macs").asLong());
        assertThat(String.join("\n", summary.notes())).contains("projection.weight", "add no MACs");
    }

    @Test
    void aCheckpointNoCatalogArchitectureMatchesIsOneSentenceSayingWhatToDo() {
        Path unknown = Fixtures.checkpoints("unknown.pth");
        for (String command : List.of("summary", "compare", "verify", "fit")) {
            List<String> args = new ArrayList<>(List.of(command, unknown.toString()));
            if (command.equals("compare")) {
                args.add(Fixtures.file("lenet5.onnx").toString());
            }
            if (command.equals("fit")) {
                args.addAll(List.of("--memory", "1GiB"));
            }
            Run run = run(args.toArray(String[]::new));
            assertThat(run.code()).as(command).isEqualTo(2);
            assertThat(run.err()).as(command).isEqualTo("unknown.pth is a checkpoint Tally cannot count: no catalog architecture has"
                    + " these keys and shapes, so there is no graph to count; run 'tally audit unknown.pth' for its inventory, or"
                    + " export the model to ONNX or TorchScript and give that file instead.\n");
        }
    }

    @Test
    void everyHostileCheckpointIsRefusedBySummaryPointingToTheAuditAndNoPayloadRuns() throws IOException {
        JsonNode manifest = JSON.readTree(Fixtures.dir().resolve("hostile/manifest.json").toFile());
        Path marker = Path.of("").toAbsolutePath().resolve(manifest.get("marker").asText());
        Files.deleteIfExists(marker);
        int refused = 0;
        for (JsonNode entry : manifest.get("files")) {
            String name = entry.get("file").asText();
            Run run = run("summary", Fixtures.dir().resolve("hostile").resolve(name).toString());
            assertThat(run.code()).as(name + ": " + run.err()).isEqualTo(2);
            // Refused as unsafe, pointing to the audit; or, for a bare protocol 0/1 pickle that is no file format
            // summary recognises, refused as not a model at all.
            assertThat(run.err()).as(name).containsAnyOf("run 'tally audit", "inspect it with 'tally audit'", "is not a model Tally reads")
                    .doesNotContain("\tat ", "internal error");
            assertThat(run.err().lines().count()).as(name).isEqualTo(1);
            refused++;
        }
        assertThat(marker).as("a payload ran inside Tally").doesNotExist();
        assertThat(refused).isGreaterThanOrEqualTo(30);
    }

    @Test
    void aFolderOfCheckpointsGivesOneRowPerFile(@TempDir Path dir) throws IOException {
        Files.createSymbolicLink(dir.resolve("resnet18.pth"), Fixtures.file("resnet18.pth"));
        Files.createSymbolicLink(dir.resolve("lenet5.safetensors"), Fixtures.dir().resolve("safetensors/lenet5.safetensors"));
        JsonNode batch = json(run("summary", dir.toString(), "--format", "json"));
        List<String> rows = new ArrayList<>();
        for (JsonNode row : batch.get("models")) {
            String name = Path.of(row.get("path").asText()).getFileName().toString();
            rows.add(name + " " + row.get("format").asText() + " " + row.get("totals").get("params").asLong());
        }
        assertThat(rows).containsExactly(
                "lenet5.safetensors checkpoint (.safetensors) " + Fixtures.expected("lenet5").params(),
                "resnet18.pth checkpoint (.pth) " + Fixtures.expected("resnet18").params());
    }

    @Test
    void checkFitAndCompareWithTheCatalogTakeACheckpointThroughTheSameLoader() {
        String pth = Fixtures.checkpoints("resnet18_head10.pth").toString();
        long params = Fixtures.checkpointsJson("resnet18_head10.expected.json").get("params").asLong();
        assertThat(run("check", pth, "--max-params", Long.toString(params)).code()).isZero();
        assertThat(run("check", pth, "--max-params", Long.toString(params - 1)).code()).isEqualTo(1);

        Run fit = run("fit", pth, "--memory", "1GiB");
        assertThat(fit.code()).as(fit.err()).isZero();
        assertThat(fit.out()).contains("Largest batch that fits");

        Run catalog = run("compare", pth, "--catalog");
        assertThat(catalog.code()).as(catalog.err()).isZero();
        assertThat(catalog.out()).contains("resnet18_head10.pth");
    }

    @Test
    void verifySaysInOneSentenceWhyItCannotRunACheckpoint() {
        for (List<String> args : List.of(List.of("verify", Fixtures.file("resnet18.pth").toString()),
                List.of("summary", Fixtures.file("resnet18.pth").toString(), "--verify"))) {
            Run run = run(args.toArray(String[]::new));
            assertThat(run.code()).as(args.toString()).isEqualTo(2);
            assertThat(run.err()).isEqualTo("resnet18.pth is a checkpoint (.pth), counted through its matched catalog graph, which is"
                    + " structure only and cannot run with the checkpoint's weights here; export the model to ONNX or TorchScript"
                    + " and verify that file.\n");
        }
    }

    @Test
    void theAuditsSummaryOfACheckpointIsLabelledAsOneAndMentionsNoCatalogFile() {
        Run audit = run("audit", Fixtures.file("resnet50.pth").toString());
        assertThat(audit.code()).as(audit.err()).isZero();
        assertThat(audit.out()).contains("checkpoint (.pth)").doesNotContain("(onnx", "ONNX opset", ".onnx.data");
    }
}
