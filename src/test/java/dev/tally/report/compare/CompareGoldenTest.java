package dev.tally.report.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.report.Format;
import dev.tally.report.Summary;
import dev.tally.report.Totals;
import dev.tally.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@code compare} on the vgg16, vgg16_bn and vgg19 ONNX fixtures made by PyTorch. Each golden test also checks the
 * invariants: every model's stages sum to its totals, and the totals are PyTorch's own figures.
 */
class CompareGoldenTest {
    private static final List<String> MODELS = List.of("vgg16", "vgg16_bn", "vgg19");
    private static List<Summary> summaries;

    @BeforeAll
    static void analyze() {
        summaries = new ArrayList<>();
        for (String model : MODELS) {
            summaries.add(Tally.analyze(Fixtures.file(model + ".onnx")));
        }
    }

    private static void assertInvariants(Comparison comparison) {
        for (int i = 0; i < MODELS.size(); i++) {
            Totals sum = Totals.ZERO;
            for (StageRow row : comparison.stages()) {
                Optional<Totals> figures = row.figures().get(i);
                if (figures.isPresent()) {
                    sum = sum.plus(figures.get());
                }
            }
            assertThat(sum).as("stages of %s sum to its totals", MODELS.get(i))
                    .isEqualTo(comparison.summaries().get(i).totals().additive());
        }
    }

    @Test
    void theTotalsArePyTorchsFiguresAndTheExportFoldedVgg16BnsBatchNorm() {
        for (int i = 0; i < MODELS.size(); i++) {
            Fixtures.Expected expected = Fixtures.expected(MODELS.get(i));
            assertThat(summaries.get(i).totals().macs()).as(MODELS.get(i)).isEqualTo(expected.macs());
        }
        assertThat(summaries.get(0).totals().params()).isEqualTo(Fixtures.expected("vgg16").params());
        assertThat(summaries.get(2).totals().params()).isEqualTo(Fixtures.expected("vgg19").params());
        // PyTorch's vgg16_bn has 138,365,992 params; the ONNX export folds the 13 BatchNorms into the convolutions,
        // leaving vgg16's 138,357,544, and the summary says so.
        assertThat(Fixtures.expected("vgg16_bn").json().path("onnx").path("bnFolded").asBoolean()).isTrue();
        assertThat(summaries.get(1).totals().params()).isEqualTo(Fixtures.expected("vgg16").params());
        assertThat(summaries.get(1).notes()).anyMatch(note -> note.startsWith("BatchNorm folded into 13 Conv nodes"));
    }

    @Test
    void vgg19AgainstVgg16HasHandCountedDifferences() {
        Comparison comparison = ComparisonBuilder.build(summaries, 1);
        // vgg19 adds three 3x3 convs of 256, 512 and 512 channels: (256*256*9+256) + 2*(512*512*9+512) = 5,309,696.
        assertThat(comparison.total(Metric.PARAMS, 2)).isEqualTo(Difference.between(138_357_544L, 143_667_240L));
        assertThat(comparison.total(Metric.PARAMS, 2).absolute()).isEqualTo(5_309_696L);
        // MACs of those convs: 256*256*9*56*56 + 512*512*9*28*28 + 512*512*9*14*14 = 4,161,798,144.
        assertThat(comparison.total(Metric.MACS, 2).absolute()).isEqualTo(4_161_798_144L);
        assertThat(comparison.stages()).extracting(StageRow::name).startsWith("features").contains("classifier");
    }

    @Test
    void table(TestInfo test) {
        Comparison comparison = ComparisonBuilder.build(summaries, 1);
        assertInvariants(comparison);
        GoldenFiles.assertMatches("compare", test, "txt", ComparisonRenderer.render(comparison, Format.TABLE));
    }

    @Test
    void markdown(TestInfo test) {
        Comparison comparison = ComparisonBuilder.build(summaries, 1);
        assertInvariants(comparison);
        GoldenFiles.assertMatches("compare", test, "md", ComparisonRenderer.render(comparison, Format.MARKDOWN));
    }

    @Test
    void json(TestInfo test) {
        Comparison comparison = ComparisonBuilder.build(summaries, 1);
        assertInvariants(comparison);
        GoldenFiles.assertMatches("compare", test, "json", ComparisonRenderer.render(comparison, Format.JSON));
    }

    @Test
    void csv(TestInfo test) {
        Comparison comparison = ComparisonBuilder.build(summaries, 1);
        assertInvariants(comparison);
        GoldenFiles.assertMatches("compare", test, "csv", ComparisonRenderer.render(comparison, Format.CSV));
    }

    @Test
    void depthTwoMarksTheLayersOnlyVgg19Has(TestInfo test) {
        Comparison comparison = ComparisonBuilder.build(List.of(summaries.get(0), summaries.get(2)), 2);
        assertInvariants2(comparison);
        // vgg16's features run 0..30, vgg19's 0..36: 31..36 exist only in vgg19 (conv, relu, conv, relu, pool among them).
        List<String> onlyVgg19 = comparison.stages().stream().filter(r -> r.figures().get(0).isEmpty()).map(StageRow::name).toList();
        assertThat(onlyVgg19).containsExactly("features.31", "features.32", "features.33", "features.34", "features.35", "features.36");
        GoldenFiles.assertMatches("compare", test, "txt", ComparisonRenderer.render(comparison, Format.TABLE));
    }

    private static void assertInvariants2(Comparison comparison) {
        for (int i = 0; i < 2; i++) {
            Totals sum = Totals.ZERO;
            for (StageRow row : comparison.stages()) {
                sum = row.figures().get(i).map(sum::plus).orElse(sum);
            }
            assertThat(sum).isEqualTo(comparison.summaries().get(i).totals().additive());
        }
    }
}
