package dev.tally.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trainable and frozen params as torchinfo counts them. The fixture is torchvision's resnet18 with
 * {@code requires_grad_(False)} on every module but {@code fc}, scripted and saved by PyTorch
 * (scripts/export_formats.py); PyTorch's own counts are in {@code resnet18_frozen.expected.json} beside it.
 * ONNX keeps no requires_grad, so its initializers are trainable unless {@code --frozen} names them.
 */
class TrainableParamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** fc of resnet18: a 1000 x 512 weight and a bias of 1000, the only module left trainable. */
    private static final long FC = 512L * 1000 + 1000;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode totals(String... args) throws Exception {
        Run run = run(args);
        assertThat(run.code()).as(run.err()).isZero();
        return JSON.readTree(run.out()).get("totals");
    }

    @Test
    void frozenBackboneResnet18GivesPyTorchsTrainableCount() throws Exception {
        JsonNode expected = Fixtures.formatsJson("resnet18_frozen.expected.json");
        assertThat(expected.get("trainableParams").asLong()).isEqualTo(FC).isEqualTo(513_000);

        JsonNode totals = totals("summary", Fixtures.formats("resnet18_frozen.scripted.pt").toString(), "--input", "1x3x224x224", "--format", "json");

        assertThat(totals.get("params").asLong()).isEqualTo(expected.get("params").asLong());
        assertThat(totals.get("trainableParams").asLong()).isEqualTo(expected.get("trainableParams").asLong()).isEqualTo(513_000);
        assertThat(totals.get("frozenParams").asLong()).isEqualTo(expected.get("frozenParams").asLong())
                .isEqualTo(totals.get("params").asLong() - 513_000);
        assertThat(totals.get("buffers").asLong()).isEqualTo(expected.get("buffers").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"table", "markdown", "html"})
    void theTextReportsShowTrainableAndFrozen(String format) {
        Run run = run("summary", Fixtures.formats("resnet18_frozen.scripted.pt").toString(), "--input", "1x3x224x224", "--format", format);

        assertThat(run.code()).as(run.err()).isZero();
        long frozen = Fixtures.formatsJson("resnet18_frozen.expected.json").get("frozenParams").asLong();
        String shownFrozen = String.format("%,d", frozen);
        switch (format) {
            case "table" -> assertThat(run.out()).containsPattern("\n +trainable +513,000 ").containsPattern("\n +frozen +" + shownFrozen + " ");
            case "markdown" -> assertThat(run.out()).contains("| Trainable params | 513,000 |").contains("| Frozen params | " + shownFrozen + " |");
            default -> assertThat(run.out()).contains("<th>Trainable params</th><td class=\"num\" data-total=\"trainableParams\">513,000<")
                    .contains("<th>Frozen params</th><td class=\"num\" data-total=\"frozenParams\">" + shownFrozen + "<");
        }
    }

    @Test
    void aModelSavedWithEveryParamTrainableHasNoneFrozen() throws Exception {
        JsonNode totals = totals("summary", Fixtures.file("resnet18.scripted.pt").toString(), "--input", "1x3x224x224", "--format", "json");

        assertThat(totals.get("frozenParams").asLong()).isZero();
        assertThat(totals.get("trainableParams").asLong()).isEqualTo(Fixtures.expected("resnet18").params());
    }

    @Test
    void onnxInitializersAreTrainableUnlessFrozenNamesThem() throws Exception {
        String onnx = Fixtures.file("resnet18.onnx").toString();
        JsonNode all = totals("summary", onnx, "--format", "json");
        assertThat(all.get("frozenParams").asLong()).isZero();

        // fc's two tensors keep their module names in the ONNX file (the folded convs' are onnx::Conv_N).
        JsonNode fcOnly = totals("summary", onnx, "--format", "json", "--frozen", "fc.*");
        assertThat(fcOnly.get("frozenParams").asLong()).isEqualTo(FC);
        assertThat(fcOnly.get("trainableParams").asLong()).isEqualTo(all.get("params").asLong() - FC);

        JsonNode twice = totals("summary", onnx, "--format", "json", "--frozen", "fc.weight", "--frozen", "fc.b?as");
        assertThat(twice.get("frozenParams").asLong()).isEqualTo(FC);
    }

    @Test
    void aPatternThatMatchesNothingIsAUsageError() {
        Run run = run("summary", Fixtures.file("resnet18.onnx").toString(), "--frozen", "backbone.*");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--frozen 'backbone.*' matches no parameter of resnet18.onnx").contains("fix the pattern");
    }
}
