package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.analysis.Analyzer;
import dev.tally.budget.BatchFit;
import dev.tally.cli.Main;
import dev.tally.load.ModelLoader;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The assignment's bottleneck network (docs/bottleneck-network.md), shipped as models/bottleneck.onnx: its largest
 * activation and the largest batch whose largest activation fits in 12 GiB, with every expected number worked out
 * here from the network's description, never taken from Tally.
 */
class BottleneckNetworkTest {
    private static final Path MODEL = Fixtures.root().resolve("models/bottleneck.onnx");
    /** The first block's 64-channel 3x3 convs keep the 256 x 256 input size (stride 1, padding 1). */
    private static final long LARGEST_ELEMENTS = 64L * 256 * 256;

    @Test
    void theLargestActivationIsTheFirstBlocksConvOutput() {
        Summary summary = Tally.analyze(MODEL);

        assertThat(LARGEST_ELEMENTS).isEqualTo(4_194_304L);
        assertThat(summary.totals().largestActivationBytes()).isEqualTo(LARGEST_ELEMENTS * 4);
    }

    @Test
    void theLargestActivationGrowsWithTheBatch() {
        Summary summary = Tally.analyze(MODEL, Tally.Options.defaults().withInput("3x1x256x256"));

        assertThat(summary.totals().largestActivationBytes()).isEqualTo(3 * LARGEST_ELEMENTS * 4);
    }

    @Test
    void fitByLargestIn12GibIs768() {
        long limit = 12L << 30;
        long expected = limit / (LARGEST_ELEMENTS * 4);

        BatchFit.Result result = new BatchFit(ModelLoader::load, new Analyzer()).fit(MODEL, Map.of(), limit, BatchFit.By.LARGEST);

        assertThat(expected).isEqualTo(768);
        assertThat(result.batch()).isEqualTo(expected);
        assertThat(result.at().bytes()).isEqualTo(768 * LARGEST_ELEMENTS * 4).isLessThanOrEqualTo(limit);
        assertThat(result.next()).hasValueSatisfying(next -> {
            assertThat(next.batch()).isEqualTo(769);
            assertThat(next.bytes()).isEqualTo(769 * LARGEST_ELEMENTS * 4).isGreaterThan(limit);
        });
        assertThat(result.table()).extracting(BatchFit.Point::batch)
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 512L, 768L);
    }

    @Test
    void theFitCommandPrintsTheAnswerAndExitsZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "fit", MODEL.toString(), "--memory", "12GiB", "--by", "largest");

        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Largest batch that fits: 768").contains("batch 769: 12,901,679,104 B")
                .contains("input 768x1x256x256 float32");
    }

    @Test
    void whenNotEvenBatchOneFitsTheExitCodeIsOne() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "fit", MODEL.toString(), "--memory", "16MB", "--by", "largest");

        // 16 MB = 16,000,000 B < 16 MiB, the largest activation at batch 1.
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("Not even batch 1 fits: it needs 16,777,216 B");
    }

    @Test
    void aBadSizeOrFigureIsBadInput() {
        StringWriter err = new StringWriter();

        assertThat(Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "fit", MODEL.toString(), "--memory", "12 apples"))
                .isEqualTo(2);
        assertThat(Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "fit", MODEL.toString(), "--memory", "12GiB",
                "--by", "average")).isEqualTo(2);
        assertThat(err.toString()).contains("--memory").contains("Unknown --by 'average'. Use one of: peak, largest.");
    }
}
