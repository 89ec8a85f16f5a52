package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Convention;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The streamed JSON report (rows written token by token) is the tree report, byte for byte. */
class JsonRendererTest {

    @Test
    void writingRowByRowGivesTheTreesText() throws Exception {
        for (Summary summary : new Summary[] {SummaryBuilderTest.summarize(TestModels.worksheet(), 0),
                SummaryBuilderTest.summarize(TestModels.blocks(), 0), SummaryBuilderTest.summarize(TestModels.withUnsupportedOp(), 0)}) {
            for (Convention convention : Convention.values()) {
                StringWriter streamed = new StringWriter();
                new JsonRenderer().write(summary, convention, streamed);

                assertThat(streamed.toString()).isEqualTo(new JsonRenderer().render(summary, convention));
            }
        }
    }

    @Test
    void writingInPiecesOnAHelperThreadGivesTheTreesText() throws Exception {
        for (Summary summary : new Summary[] {SummaryBuilderTest.summarize(TestModels.worksheet(), 0),
                SummaryBuilderTest.summarize(TestModels.blocks(), 0)}) {
            int rows = summary.layers().size();
            assertThat(rows).isGreaterThan(3);
            for (int perPiece : new int[] {1, 2, 3, rows - 1, rows, rows + 1}) {
                StringWriter streamed = new StringWriter();
                new JsonRenderer(1, perPiece).write(summary, Convention.MACS, streamed);

                assertThat(streamed.toString()).as("%d rows a piece", perPiece)
                        .isEqualTo(new JsonRenderer().render(summary, Convention.MACS));
            }
        }
    }

    @Test
    void theWorksheetHasTheOptionalRowFieldsTheComparisonCovers() {
        Summary summary = SummaryBuilderTest.summarize(TestModels.worksheet(), 0);

        assertThat(summary.receptiveFields()).isNotEmpty();
        assertThat(summary.liveAfter()).isNotEmpty();
    }
}
