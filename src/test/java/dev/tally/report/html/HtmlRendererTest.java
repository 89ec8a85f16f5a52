package dev.tally.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.report.LayerSummary;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HtmlRendererTest {

    private static LayerSummary layer(String name, long params) {
        return new LayerSummary(name, "Conv", Optional.of(Shape.of(1, 4)), params, 0, params * 4, 0, 0, 0, 16, 1, 0);
    }

    @Test
    void modelSuppliedNamesAreEscapedSoTheyCannotInjectMarkup() {
        assertThat(Html.escape("<script>alert('x')</script> & \"q\""))
                .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    }

    @Test
    void aSmallModelIsNotFoldedAndALargeOneIsFoldedToTheDeepestReadableDepth() {
        assertThat(HtmlRenderer.chooseDepth(d -> 21)).isZero();
        // 400 layers unfolded, 5 stages at depth 1, 40 blocks at depth 2, 200 at depth 3: depth 2 is the deepest under 60.
        int[] rows = {400, 5, 40, 200, 400, 400, 400, 400, 400};
        assertThat(HtmlRenderer.chooseDepth(d -> rows[d])).isEqualTo(2);
    }

    @Test
    void theShareSentenceCountsTheFewestLayersHoldingNinetyPercent() {
        // AlexNet-like: three fully connected layers hold 58.6 M of 61.1 M params (95.9%).
        List<LayerSummary> rows = List.of(layer("features.0", 23_296), layer("features.3", 307_392),
                layer("features.6", 663_936), layer("features.8", 884_992), layer("features.10", 590_080),
                layer("classifier.1", 37_752_832), layer("classifier.4", 16_781_312), layer("classifier.6", 4_097_000));
        assertThat(HtmlRenderer.shareSentence(rows, LayerSummary::params, "params"))
                .isEqualTo("90% of params sit in 3 of 8 layers");
        assertThat(HtmlRenderer.shareSentence(rows, LayerSummary::macs, "MACs")).isEmpty();
    }

    @Test
    void chartCeilingsAreRoundNumbersAboveTheLargestBar() {
        assertThat(BarChart.niceCeiling(37_752_832)).isEqualTo(40_000_000);
        assertThat(BarChart.niceCeiling(0)).isEqualTo(4);
        assertThat(BarChart.niceCeiling(802_816)).isEqualTo(1_200_000);
        assertThat(BarChart.niceCeiling(800_000)).isEqualTo(800_000);
        // AlexNet's conv1 output is 756.3 KiB: its axis tops out at 800 KiB (4 ticks of 200 KiB), not 781.3 KiB.
        assertThat(BarChart.niceBinaryCeiling(774_400)).isEqualTo(800L * 1024);
    }
}
