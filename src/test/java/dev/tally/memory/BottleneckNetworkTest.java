package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.ReceptiveField;
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

    /**
     * Receptive fields from the formula alone: neuron i of a layer with kernel K, stride S and padding P reads rows
     * S*i-P .. S*i-P+K-1 of the layer below; mapping both ends down layer by layer gives the input rows.
     */
    @Test
    void receptiveFieldsFollowTheFormulaLayerByLayer() {
        // (K, S, P) of the 15 window layers in order; numbers as in the assignment: conv 2, conv 3, pool 4, ...
        long[][] windows = new long[15][];
        String[] names = {"0", "2", "4", "5", "7", "9", "10", "12", "14", "15", "17", "19", "20", "22", "24"};
        for (int block = 0; block < 5; block++) {
            windows[3 * block] = new long[] {3, 1, 1};
            windows[3 * block + 1] = new long[] {3, 1, 1};
            windows[3 * block + 2] = new long[] {2, 2, 0};
        }
        Summary summary = Tally.analyze(MODEL);
        for (int layer = 0; layer < windows.length; layer++) {
            long[] seen0 = rowsSeen(windows, layer, 0);
            long[] seen1 = rowsSeen(windows, layer, 1);
            ReceptiveField field = summary.receptiveFields().get(names[layer]);
            assertThat(field).as("layer " + names[layer]).isNotNull();
            for (int axis = 0; axis < 2; axis++) {
                assertThat(field.start().get(axis)).as("start of " + names[layer]).isEqualTo(seen0[0]);
                assertThat(field.size().get(axis)).as("size of " + names[layer]).isEqualTo(seen0[1] - seen0[0] + 1);
                assertThat(field.jump().get(axis)).as("jump of " + names[layer]).isEqualTo(seen1[0] - seen0[0]);
            }
        }
        // The table, typed in: conv 2, conv 3, pool 4, ..., conv 15 (the last conv), size 140.
        String[] expected = {"i-1..i+1", "i-2..i+2", "2i-2..2i+3", "2i-4..2i+5", "2i-6..2i+7", "4i-6..4i+9", "4i-10..4i+13",
            "4i-14..4i+17", "8i-14..8i+21", "8i-22..8i+29", "8i-30..8i+37", "16i-30..16i+45", "16i-46..16i+61", "16i-62..16i+77"};
        for (int layer = 0; layer < expected.length; layer++) {
            assertThat(summary.receptiveFields().get(names[layer]).describe(0)).isEqualTo(expected[layer]);
        }
        assertThat(summary.receptiveFields().get("22").size()).containsExactly(140L, 140L);
        assertThat(summary.receptiveFields().get("25").wholeInput()).as("after flatten").isTrue();
    }

    /** Input rows [first, last] that neuron {@code i} of window layer {@code top} reads, by the formula. */
    private static long[] rowsSeen(long[][] windows, int top, long i) {
        long first = i;
        long last = i;
        for (int layer = top; layer >= 0; layer--) {
            long k = windows[layer][0];
            long s = windows[layer][1];
            long p = windows[layer][2];
            first = s * first - p;
            last = s * last - p + k - 1;
        }
        return new long[] {first, last};
    }

    @Test
    void theReceptiveFieldColumnsShowTheRows() {
        StringWriter out = new StringWriter();

        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "summary", MODEL.toString(), "--receptive-field");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Input rows seen by neuron i").containsPattern("22 +Conv .* 140x140 +16x16 +16i-62\\.\\.16i\\+77")
                .contains("whole input");
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
        // The page's own derivation of the answer, written by the same derivation builder as tally explain.
        assertThat(out.toString()).contains("\n  B = floor(M / (A x s)) = floor(12 x 2^30 / (4,194,304 x 4)) = 768   (");
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
