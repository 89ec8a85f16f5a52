package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.report.Summary;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BudgetCheckerTest {
    /** AlexNet's figures at 1x3x224x224 as torchvision and PyTorch give them: 61,100,840 params, 714,188,480 MACs. */
    private static final Summary ALEXNET = Summaries.of("alexnet.onnx", 61_100_840, 0, 244_403_360, 714_188_480, 715_000_000, 62_000_000);

    private static ModelBudget budget(Limit... limits) {
        return new ModelBudget(Path.of("alexnet.onnx"), "alexnet.onnx", List.of(), List.of(limits), List.of(), Optional.empty());
    }

    @Test
    void aFigureOverItsLimitFailsWithTheModelFigureLimitActualAndExcessInOneSentence() {
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.MACS, "700M")), ALEXNET, 0);
        CheckResult result = check.results().get(0);
        assertThat(result.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(result.excess()).isEqualTo(14_188_480L);
        // 14,188,480 / 700,000,000 = 2.0269...%
        assertThat(result.message()).isEqualTo("alexnet.onnx: macs 714,188,480 (714.2 M) is over the limit 700M "
                + "(700,000,000) by 14,188,480 (2.03%).");
    }

    @Test
    void aByteFigureOverItsLimitSaysBytesAndShowsBinaryUnitsByName() {
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.ACTIVATION, "60MB")), ALEXNET, 0);
        // 62,000,000 - 60,000,000 = 2,000,000 B = 3.33% of the limit
        assertThat(check.results().get(0).message()).isEqualTo("alexnet.onnx: activation 62,000,000 B (59.2 MiB) is over "
                + "the limit 60MB (60,000,000 B) by 2,000,000 B (3.33%).");
    }

    @Test
    void aFigureWithinItsLimitPassesAndSaysTheMargin() {
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.PARAMS, "62M")), ALEXNET, 0);
        CheckResult result = check.results().get(0);
        assertThat(result.status()).isEqualTo(CheckResult.Status.PASS);
        // 62,000,000 - 61,100,840 = 899,160 = 1.45% of 62M
        assertThat(result.message()).isEqualTo("alexnet.onnx: params 61,100,840 (61.1 M) is within the limit 62M "
                + "(62,000,000) with 899,160 (1.45%) to spare.");
    }

    @Test
    void aFigureExactlyAtItsLimitPasses() {
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.PARAMS, "61100840")), ALEXNET, 0);
        assertThat(check.results().get(0).status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(check.results().get(0).message()).endsWith("exactly at it.");
    }

    @Test
    void theFileSizeIsCheckedFromTheFileItself() {
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.FILE_SIZE, "1KiB")), ALEXNET, 1025);
        assertThat(check.results().get(0).status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(check.results().get(0).message()).endsWith("by 1 B (0.10%).");
    }

    @Test
    void aZeroLimitHasNoPercentageButStillFails() {
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.BUFFERS, "0")),
                Summaries.of("bn.onnx", 10, 8, 72, 0, 0, 0), 0);
        assertThat(check.results().get(0).message()).isEqualTo("alexnet.onnx: buffers 8 is over the limit 0 by 8 (the limit is 0).");
    }

    @Test
    void aPassOnAModelWithUncountedOpsIsAnErrorBecauseItsFiguresAreLowerBounds() {
        Summary partial = Summaries.incomplete("mystery.onnx", 100, 1_000);
        ModelCheck check = BudgetChecker.evaluate(budget(Limit.parse(Figure.MACS, "2K"), Limit.parse(Figure.PARAMS, "50")), partial, 0);
        assertThat(check.results()).extracting(CheckResult::status)
                .containsExactly(CheckResult.Status.ERROR, CheckResult.Status.FAIL);
        assertThat(check.results().get(0).message()).contains("but the model has nodes without a count (no rule for Mystery x2)");
        assertThat(new CheckReport(List.of(check)).exitCode()).isEqualTo(2);
    }

    @Test
    void growthOverTheBaselineFailsWhenItExceedsTheAllowedPercent() {
        Baseline before = new Baseline(Path.of("before.json"), Map.of(Figure.MACS, 700_000_000L, Figure.PARAMS, 61_100_840L));
        ModelBudget budget = new ModelBudget(Path.of("alexnet.onnx"), "alexnet.onnx", List.of(), List.of(),
                List.of(new GrowthLimit(Figure.MACS, new BigDecimal("2")), new GrowthLimit(Figure.PARAMS, BigDecimal.ZERO)),
                Optional.of(before));
        ModelCheck check = BudgetChecker.evaluate(budget, ALEXNET, 0);
        CheckResult macs = check.results().get(0);
        // allowed: floor(700,000,000 * 1.02) = 714,000,000; actual 714,188,480 is 188,480 over (0.03%); it grew 2.03%
        assertThat(macs.max()).isEqualTo(714_000_000L);
        assertThat(macs.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(macs.message()).isEqualTo("alexnet.onnx: macs 714,188,480 (714.2 M) grew 2.03% from the baseline "
                + "700,000,000 (700.0 M), over the allowed growth of 2% (at most 714,000,000) by 188,480 (0.03%).");
        assertThat(macs.name()).isEqualTo("macs growth <= 2%");
        CheckResult params = check.results().get(1);
        assertThat(params.status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(params.message()).contains("is unchanged from the baseline");
    }

    @Test
    void theAllowedMaximumRoundsDownSoAFractionOfAnElementNeverPasses() {
        assertThat(new GrowthLimit(Figure.PARAMS, new BigDecimal("1.5")).allowedMax(999)).isEqualTo(1013L); // 1013.985
        assertThat(new GrowthLimit(Figure.PARAMS, BigDecimal.ZERO).allowedMax(999)).isEqualTo(999L);
    }

    @Test
    void theExitCodeIsTwoForBadInputOverOneForExceededOverZero() {
        ModelCheck over = BudgetChecker.evaluate(budget(Limit.parse(Figure.MACS, "700M")), ALEXNET, 0);
        ModelCheck within = BudgetChecker.evaluate(budget(Limit.parse(Figure.MACS, "0.8G")), ALEXNET, 0);
        ModelCheck bad = ModelCheck.failed("bad.onnx", "bad.onnx is not a model.");
        assertThat(new CheckReport(List.of(within)).exitCode()).isZero();
        assertThat(new CheckReport(List.of(within, over)).exitCode()).isEqualTo(1);
        assertThat(new CheckReport(List.of(over, bad)).exitCode()).isEqualTo(2);
        assertThat(new CheckReport(List.of(within, over, bad)).verdict())
                .isEqualTo("1 of 2 limits exceeded in 3 models; 1 error. Exit code 2.");
    }

    @Test
    void aModelThatCannotBeReadBecomesAnErrorEntryAndTheOthersAreStillChecked() {
        BudgetChecker checker = new BudgetChecker(b -> {
            throw new dev.tally.ir.ModelException(b.label() + " is not a model Tally reads.");
        });
        CheckReport report = checker.check(List.of(budget(Limit.parse(Figure.PARAMS, "1M"))));
        assertThat(report.models().get(0).error()).contains("alexnet.onnx is not a model Tally reads.");
        assertThat(report.exitCode()).isEqualTo(2);
    }
}
