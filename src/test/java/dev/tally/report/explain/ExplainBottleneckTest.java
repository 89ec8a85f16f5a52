package dev.tally.report.explain;

import static dev.tally.analysis.Expr.floor;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.power;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Derivation;
import org.junit.jupiter.api.Test;

/**
 * The bottleneck network's worked examples (docs/bottleneck-network.md): the 3x3 conv from 64 to 128 channels has
 * {@code (3 x 3 x 64 + 1) x 128 = 73,856} params and output width {@code floor((W + 2P - K) / S) + 1 =
 * (128 + 2 - 3) / 1 + 1 = 128}; 160,415,170 params in all; and the largest batch whose largest activation
 * (4,194,304 elements of 4 B) fits in 12 GiB is {@code B = floor(12 x 2^30 / (4,194,304 x 4 B)) = 768}.
 */
class ExplainBottleneckTest {
    @Test
    void theConvFrom64To128ChannelsIsDerivedAsThePageDoes() {
        String text = ExplainWorksheetTest.run("explain", "models/bottleneck.onnx", "5", "--convention", "macs");
        // The page's 2P with P = 1 is written 2 x 1 here; same numbers, same result.
        assertThat(text).contains("\n  W_out = floor((W + 2 x P - K) / S) + 1 = floor((128 + 2 x 1 - 3) / 1) + 1 = 128\n")
                .contains("\n  params = (K_h x K_w x C_in/g + 1) x C_out = (3 x 3 x 64 + 1) x 128 = 73,856\n");
    }

    @Test
    void theTotalParamsAreThePages() {
        String text = ExplainWorksheetTest.run("explain", "models/bottleneck.onnx");
        assertThat(text).containsPattern("\n  params = [0-9, +]+ = 160,415,170\n");
        // The largest activation the page names: a 64 x 256 x 256 conv output, 4,194,304 elements of 4 B.
        assertThat(text).contains("activation = N x C x H x W x s = 1 x 64 x 256 x 256 x 4 = 16,777,216 B");
    }

    /** What {@code tally fit} builds to explain its answer, with the page's numbers. */
    @Test
    void theLargestBatchIsDerivedWithTheBuilderAsThePageWritesIt() {
        Derivation fit = Derivation.of("largest batch")
                .line(Derivation.Quantity.RESULT, "B", floor(times(term("M", 12), power(num(2), num(30))),
                        times(term("A", 4_194_304), term("s", 4))), "", "M GiB of memory, A elements of s bytes each")
                .build();
        String text = ExplainFormat.text(fit, "");
        assertThat(text).isEqualTo("B = floor(M x 2^30 / (A x s)) = floor(12 x 2^30 / (4,194,304 x 4)) = 768"
                + "   (M GiB of memory, A elements of s bytes each)\n");
        assertThat(ExplainEveryFixtureTest.reevaluate(text, "fit")).isEqualTo(1);
        assertThat(ExprFormat.LATEX.line(fit.lines().get(0)))
                .isEqualTo("B = \\left\\lfloor \\frac{M \\times 2^{30}}{A \\times s} \\right\\rfloor"
                        + " = \\left\\lfloor \\frac{12 \\times 2^{30}}{4{,}194{,}304 \\times 4} \\right\\rfloor = 768");
    }
}
