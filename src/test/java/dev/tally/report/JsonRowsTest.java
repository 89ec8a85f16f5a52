package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Convention;
import dev.tally.analysis.ReceptiveField;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Shape;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The JSON report's rows are text written by hand ({@link JsonRows}), not by Jackson's generator: the report must be
 * exactly what Jackson writes for its own content. Each report is read back with Jackson and written again by Jackson
 * with the report's pretty printer; the two texts must be equal to the byte, whatever the names hold (quotes,
 * backslashes, every control character, non-ASCII letters, emoji, a lone surrogate) and whatever the rows hold (no
 * shape, a scalar's empty shape, receptive fields of the whole input and with differing jumps, data-dependent and
 * frozen counts, negative starts).
 */
class JsonRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theReportIsWhatJacksonWritesForItsContent() throws Exception {
        List<Summary> summaries = new ArrayList<>(List.of(SummaryBuilderTest.summarize(TestModels.worksheet(), 0),
                SummaryBuilderTest.summarize(TestModels.blocks(), 0),
                SummaryBuilderTest.summarize(TestModels.withUnsupportedOp(), 0)));
        summaries.add(handMade());
        for (Summary summary : summaries) {
            for (Convention convention : Convention.values()) {
                String text = new JsonRenderer().render(summary, convention);

                JsonNode tree = JSON.readTree(text);
                assertThat(text).isEqualTo(JsonText.write(tree, JsonRenderer.printer()) + "\n");
                assertThat(tree.get("layers")).hasSize(summary.layers().size());
            }
        }
    }

    @Test
    void piecesOnAHelperThreadGiveTheSameText() throws Exception {
        Summary summary = handMade();
        String whole = new JsonRenderer().render(summary, Convention.MACS);
        for (int perPiece : new int[] {1, 2, 3, summary.layers().size()}) {
            StringWriter streamed = new StringWriter();
            new JsonRenderer(1, perPiece).write(summary, Convention.MACS, streamed);
            assertThat(streamed.toString()).as("%d rows a piece", perPiece).isEqualTo(whole);
        }
        StringWriter none = new StringWriter();
        Summary empty = new Summary(summary.model(), summary.inputs(), summary.outputs(), List.of(), Totals.ZERO, List.of(),
                0, List.of(), 0);
        new JsonRenderer(1, 2).write(empty, Convention.MACS, none);
        assertThat(none.toString()).contains("\"layers\": [ ]")
                .isEqualTo(new JsonRenderer().render(empty, Convention.MACS));
    }

    /** Rows whose every optional field and awkward character is there. */
    private static Summary handMade() {
        StringBuilder control = new StringBuilder("c");
        for (char c = 0; c < 0x20; c++) {
            control.append(c);
        }
        control.append('\u007f');
        List<String> names = List.of("plain.conv", "quote\"d", "back\\slash", control.toString(), "caf\u00e9 \u5c42 \ud83d\ude00",
                "lone \ud800 surrogate", "slash/and\u2028line");
        List<LayerSummary> rows = new ArrayList<>();
        Map<String, ReceptiveField> fields = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Optional<Shape> shape = switch (i % 3) {
                case 0 -> Optional.of(Shape.of(1, 64, 112, 112));
                case 1 -> Optional.empty();
                default -> Optional.of(Shape.of());
            };
            rows.add(new LayerSummary(names.get(i), i % 2 == 0 ? "Conv" : "type \"" + i + "\"", shape, 10L * i, i, 40L * i,
                    1000L * i, 2000L * i, 1500L * i, 64L * i, 2, i % 3 == 1 ? 1 : 0, i % 4 == 3 ? 5L * i : 0, i % 3 == 2 ? 1 : 0));
        }
        fields.put(names.get(0), new ReceptiveField(List.of(7L, 7L), List.of(2L, 2L), List.of(-3L, -3L), false, false));
        fields.put(names.get(1), ReceptiveField.whole(true));
        fields.put(names.get(2), ReceptiveField.whole(false));
        fields.put(names.get(4), new ReceptiveField(List.of(), List.of(), List.of(), false, true));
        ModelInfo model = new ModelInfo("hand.onnx", ModelFormat.ONNX, "tests", 0, 0, -1);
        return new Summary(model, List.of(), List.of(), rows, Totals.ZERO, List.of(), 0, List.of("a note"), 0, fields,
                List.of(1L, 2L, 3L), Totals.ZERO);
    }
}
