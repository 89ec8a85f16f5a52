package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.Tally;
import dev.tally.report.Summary;
import dev.tally.report.Units;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's example of a model budget as a JUnit test in a Java project: the first test is the ten lines to copy
 * (with {@code Path.of("models/alexnet.onnx")} in place of the fixture). The second shows the same assertion fails
 * when the model outgrows the budget, so the example cannot pass vacuously.
 */
class ApiBudgetExampleTest {
    private static final Path MODEL = Fixtures.file("alexnet.onnx");

    @Test
    void alexnetStaysWithinItsBudget() {
        Summary summary = Tally.analyze(MODEL, Tally.Options.defaults().withInput("1x3x224x224"));

        assertThat(summary.unsupported()).as("every op counted").isEmpty();
        assertThat(summary.totals().params()).isLessThanOrEqualTo(Units.parseCount("62M"));
        assertThat(summary.totals().macs()).isLessThanOrEqualTo(Units.parseCount("0.8G"));
        assertThat(summary.totals().activationBytes()).isLessThanOrEqualTo(Units.parseBytes("60MB"));
    }

    @Test
    void theSameAssertionFailsWhenTheModelIsOverBudget() {
        Summary summary = Tally.analyze(MODEL, Tally.Options.defaults().withInput("1x3x224x224"));
        // PyTorch's own count for AlexNet is 714,188,480 MACs, over a 0.7G budget.
        assertThat(summary.totals().macs()).isEqualTo(Fixtures.expected("alexnet").macs());
        assertThatThrownBy(() -> assertThat(summary.totals().macs()).isLessThanOrEqualTo(Units.parseCount("0.7G")))
                .isInstanceOf(AssertionError.class);
    }
}
