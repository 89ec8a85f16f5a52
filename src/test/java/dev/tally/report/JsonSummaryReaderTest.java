package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.Convention;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import org.junit.jupiter.api.Test;

class JsonSummaryReaderTest {

    private static Summary roundTrip(Summary summary) {
        return JsonSummaryReader.read(new JsonRenderer().render(summary, Convention.MACS), "report.json");
    }

    @Test
    void aRenderedReportReadsBackToTheSameSummary() {
        Summary worksheet = SummaryBuilderTest.summarize(TestModels.worksheet(), 0);
        Summary folded = SummaryBuilderTest.summarize(TestModels.blocks(), 1);
        Summary incomplete = SummaryBuilderTest.summarize(TestModels.withUnsupportedOp(), 0);

        assertThat(roundTrip(worksheet)).isEqualTo(withoutPeakLayer(worksheet));
        assertThat(roundTrip(folded)).isEqualTo(withoutPeakLayer(folded));
        assertThat(roundTrip(incomplete)).isEqualTo(withoutPeakLayer(incomplete));
    }

    /** The JSON report does not carry the layer of the peak (only the HTML chart names it), so it reads back as -1. */
    private static Summary withoutPeakLayer(Summary s) {
        assertThat(s.peakLayer()).isGreaterThanOrEqualTo(-1);
        return new Summary(s.model(), s.inputs(), s.outputs(), s.layers(), s.totals(), s.unsupported(), s.unresolvedNodes(),
                s.notes(), s.depth(), s.receptiveFields(), s.liveAfter(), s.unreadBuffers());
    }

    @Test
    void theContractFieldsAloneAreEnough() {
        String json = """
                { "model": {"path": "alexnet.onnx", "format": "onnx"},
                  "inputs":  [{"name": "input", "shape": [1,3,224,224], "dtype": "float32"}],
                  "outputs": [{"name": "output", "shape": [1,1000], "dtype": "float32"}],
                  "layers":  [{"name": "features.0", "type": "Conv", "outputShape": [1,64,55,55],
                               "params": 23296, "buffers": 0, "macs": 70276800, "flops": 140553600,
                               "ops": 70470400, "activationBytes": 774400}],
                  "totals":  {"params": 23296, "buffers": 0, "paramBytes": 93184, "macs": 70276800,
                              "flops": 140553600, "ops": 70470400, "activationBytes": 774400},
                  "unsupported": [] }
                """;

        Summary summary = JsonSummaryReader.read(json, "alexnet.json");

        assertThat(summary.model()).isEqualTo(new ModelInfo("alexnet.onnx", ModelFormat.ONNX, ""));
        assertThat(summary.inputs().get(0).shape()).contains(Shape.of(1, 3, 224, 224));
        assertThat(summary.layers().get(0).macs()).isEqualTo(70_276_800L);
        assertThat(summary.totals().paramBytes()).isEqualTo(93_184L);
    }

    @Test
    void aMissingFieldIsNamedByItsPath() {
        assertThatThrownBy(() -> JsonSummaryReader.read("{\"model\": {\"path\": \"a.onnx\"}}", "base.json"))
                .isInstanceOf(UsageException.class)
                .hasMessage("base.json: 'model.format' is missing; give a report written by 'tally summary --format json'.");
    }

    @Test
    void aNegativeCountIsRejected() {
        String json = new JsonRenderer().render(SummaryBuilderTest.summarize(TestModels.blocks(), 0), Convention.MACS)
                .replaceFirst("\"macs\": 1152", "\"macs\": -1");

        assertThatThrownBy(() -> JsonSummaryReader.read(json, "base.json")).isInstanceOf(UsageException.class)
                .hasMessage("base.json: 'layers[0].macs' is wrong: it should be a whole number of 0 or more; give a"
                        + " report written by 'tally summary --format json'.");
    }

    @Test
    void textThatIsNotJsonSaysSo() {
        assertThatThrownBy(() -> JsonSummaryReader.read("Model: alexnet.onnx\n", "base.json"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("base.json is not JSON (line 1)");
    }
}
