package dev.tally.report.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.budget.Summaries;
import dev.tally.ir.ModelFormat;
import dev.tally.report.LayerSummary;
import dev.tally.report.ModelInfo;
import dev.tally.report.Summary;
import dev.tally.report.Totals;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComparisonBuilderTest {

    /** A summary whose layers have the given names, each with {@code params} = its index + 1. */
    private static Summary layers(String path, String... names) {
        List<LayerSummary> rows = new ArrayList<>();
        Totals totals = Totals.ZERO;
        for (int i = 0; i < names.length; i++) {
            LayerSummary row = new LayerSummary(names[i], "Conv", Optional.empty(), i + 1, 0, 4L * (i + 1), 10, 20, 10, 8, 1, 0);
            rows.add(row);
            totals = totals.plus(row.figures());
        }
        return new Summary(new ModelInfo(path, ModelFormat.ONNX, ""), List.of(), List.of(), rows, totals, List.of(), 0,
                List.of(), 0).check();
    }

    @Test
    void stagesOfLaterModelsGoAfterTheStagePrecedingThemInTheirOwnModel() {
        Map<String, Totals> a = new LinkedHashMap<>();
        Map<String, Totals> b = new LinkedHashMap<>();
        for (String name : List.of("stem", "layer1", "head")) {
            a.put(name, Totals.ZERO);
        }
        for (String name : List.of("stem", "layer1", "layer2", "layer3", "head", "aux")) {
            b.put(name, Totals.ZERO);
        }
        assertThat(ComparisonBuilder.align(List.of(a, b))).containsExactly("stem", "layer1", "layer2", "layer3", "head", "aux");
        Map<String, Totals> c = new LinkedHashMap<>();
        c.put("pre", Totals.ZERO);
        c.put("head", Totals.ZERO);
        assertThat(ComparisonBuilder.align(List.of(a, c))).containsExactly("pre", "stem", "layer1", "head");
    }

    @Test
    void layersAreFoldedToTheDepthAndSummed() {
        Summary a = layers("a/net.onnx", "features.0", "features.1", "classifier.0");
        Summary b = layers("b/net.onnx", "features.0", "classifier.0", "classifier.1");
        Comparison comparison = ComparisonBuilder.build(List.of(a, b), 1);
        assertThat(comparison.stages()).extracting(StageRow::name).containsExactly("features", "classifier");
        // a: features = 1 + 2 params, classifier = 3; b: features = 1, classifier = 2 + 3.
        assertThat(comparison.stages().get(0).figures()).extracting(f -> f.orElseThrow().params()).containsExactly(3L, 1L);
        assertThat(comparison.stages().get(1).figures()).extracting(f -> f.orElseThrow().params()).containsExactly(3L, 5L);
        // Same file names: the labels fall back to the paths.
        assertThat(comparison.labels()).containsExactly("a/net.onnx", "b/net.onnx");
    }

    @Test
    void aStageInOnlyOneModelIsMarked() {
        Summary a = layers("a.onnx", "features.0", "features.1");
        Summary b = layers("b.onnx", "features.0", "features.1", "features.2");
        Summary c = layers("c.onnx", "features.0", "features.2");
        Comparison comparison = ComparisonBuilder.build(List.of(a, b, c), 0);
        assertThat(comparison.stages()).extracting(StageRow::name).containsExactly("features.0", "features.1", "features.2");
        List<String> labels = comparison.labels();
        assertThat(ComparisonRenderer.note(comparison.stages().get(0), labels)).isEmpty();
        assertThat(ComparisonRenderer.note(comparison.stages().get(1), labels)).isEqualTo("not in c.onnx");
        assertThat(ComparisonRenderer.note(comparison.stages().get(2), labels)).isEqualTo("not in a.onnx");
        Comparison two = ComparisonBuilder.build(List.of(a, b), 0);
        assertThat(ComparisonRenderer.note(two.stages().get(2), two.labels())).isEqualTo("only in b.onnx");
        assertThat(ComparisonRenderer.render(two, dev.tally.report.Format.TABLE))
                .contains("1 stage is not in every model: a '-' marks the models without it.");
    }

    @Test
    void differencesAreAbsoluteAndAPercentOfTheFirstModel() {
        assertThat(Difference.between(138_357_544L, 143_667_240L).display()).isEqualTo("+5,309,696 (+3.84%)");
        assertThat(Difference.between(200, 100).display()).isEqualTo("-100 (-50.00%)");
        assertThat(Difference.between(7, 7).display()).isEqualTo("0 (0.00%)");
        assertThat(Difference.between(0, 0).percent()).contains(new BigDecimal("0.00"));
        assertThat(Difference.between(0, 5).display()).isEqualTo("+5 (n/a)");
        // 1/3 = 33.333...% rounds half up to two decimals.
        assertThat(Difference.between(3, 4).percent()).contains(new BigDecimal("33.33"));
    }

    @Test
    void theTotalsTableHasEveryFigureOfEveryModel() {
        Summary a = Summaries.of("a.onnx", 100, 0, 400, 1_000, 1_100, 64);
        Summary b = Summaries.of("b.onnx", 150, 0, 600, 900, 1_000, 64);
        String table = ComparisonRenderer.render(ComparisonBuilder.build(List.of(a, b), 1), dev.tally.report.Format.TABLE);
        assertThat(table).containsPattern("Params +100 +150 +\\+50 \\(\\+50\\.00%\\)")
                .containsPattern("MACs +1,000 +900 +-100 \\(-10\\.00%\\)")
                .containsPattern("FLOPs +2,000 +1,800 +-200 \\(-10\\.00%\\)");
    }
}
