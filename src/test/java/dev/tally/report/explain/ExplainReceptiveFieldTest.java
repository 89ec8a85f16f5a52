package dev.tally.report.explain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@code tally explain models/bottleneck.onnx --receptive-field}: every conv and pool row's printed derivation equals
 * the one worked out here from the formula alone (neuron i of a window of kernel K, stride S and padding P reads rows
 * S*i-P .. S*i-P+K-1 of the layer below, composed down to the input), and the rows seen are the table of
 * docs/bottleneck-network.md.
 */
class ExplainReceptiveFieldTest {
    /** Layer names of the 15 window layers in order: conv, conv, pool per block. */
    private static final String[] NAMES = {"0", "2", "4", "5", "7", "9", "10", "12", "14", "15", "17", "19", "20", "22", "24"};
    /** docs/bottleneck-network.md's table of rows seen, typed in (conv 2, conv 3, pool 4, ..., conv 15). */
    private static final String[] TABLE = {"i-1..i+1", "i-2..i+2", "2i-2..2i+3", "2i-4..2i+5", "2i-6..2i+7", "4i-6..4i+9",
        "4i-10..4i+13", "4i-14..4i+17", "8i-14..8i+21", "8i-22..8i+29", "8i-30..8i+37", "16i-30..16i+45", "16i-46..16i+61",
        "16i-62..16i+77"};

    @Test
    void everyWindowRowDerivesItsFieldFromTheLayerBelow() {
        long[][] windows = new long[15][];
        for (int block = 0; block < 5; block++) {
            windows[3 * block] = new long[] {3, 1, 1};
            windows[3 * block + 1] = new long[] {3, 1, 1};
            windows[3 * block + 2] = new long[] {2, 2, 0};
        }
        String text = ExplainWorksheetTest.run("explain", "models/bottleneck.onnx", "--receptive-field");
        long sizeIn = 1;
        long jumpIn = 1;
        long startIn = 0;
        for (int layer = 0; layer < windows.length; layer++) {
            long k = windows[layer][0];
            long s = windows[layer][1];
            long p = windows[layer][2];
            long[] seen0 = rowsSeen(windows, layer, 0);
            long[] seen1 = rowsSeen(windows, layer, 1);
            long size = seen0[1] - seen0[0] + 1;
            long jump = seen1[0] - seen0[0];
            String rows = rows(jump, seen0[0], seen0[1]);
            if (layer < TABLE.length) {
                assertThat(rows).as("the page's row for layer " + NAMES[layer]).isEqualTo(TABLE[layer]);
            }
            String expected = String.format(Locale.ROOT, "\n  RF size = r_in + D x (K - 1) x j_in = %d + 1 x (%d - 1) x %d = %d\n"
                    + "  jump = j_in x S = %d x %d = %d\n"
                    + "  start = s_in - P x j_in = %d - %d x %d = %d   (rows seen %s)\n",
                    sizeIn, k, jumpIn, size, jumpIn, s, jump, startIn, p, jumpIn, seen0[0], rows);
            assertThat(block(text, NAMES[layer])).as("layer " + NAMES[layer]).contains(expected);
            sizeIn = size;
            jumpIn = jump;
            startIn = seen0[0];
        }
        assertThat(sizeIn).isEqualTo(156);
        // After flatten the whole input, in one line.
        assertThat(block(text, "25")).contains("\n  RF positions = H_in x W_in = 256 x 256 = 65,536   (whole input");
        // A ReLU keeps the field of its input.
        assertThat(block(text, "1")).contains("\n  RF size = r_in = 3   (position by position, as its input; rows seen i-1..i+1)\n");
    }

    /**
     * resnet18's first residual Add: the shortcut from the max pool sees 11 rows (7 x 7 stride 2, then 3 x 3 stride
     * 2: 7 + 2 x 2), the main path two 3 x 3 convs more at jump 4 (11 + 8 + 8 = 27, start -5 - 4 - 4 = -13); the
     * Add keeps the widest and says which input that is.
     */
    @Test
    void aMultiInputNodeSaysWhichInputWasWidest() {
        String text = ExplainWorksheetTest.run("explain",
                dev.tally.testing.Fixtures.expected("resnet18").file("onnx").toString(), "layer1.0", "--receptive-field");
        assertThat(text).containsPattern("\n  RF size = r_in = 27   \\(widest of 2 inputs: [^;]*conv2[^;]*; position by position, "
                + "as its input; rows seen 4i-13\\.\\.4i\\+13\\)\n");
    }

    /** The lines printed for one layer: from its heading to the next blank line. */
    private static String block(String text, String layer) {
        int start = text.indexOf("\n\n" + layer + "  ");
        assertThat(start).as("heading of layer " + layer).isNotNegative();
        int end = text.indexOf("\n\n", start + 2);
        return text.substring(start + 1, end < 0 ? text.length() : end + 1);
    }

    private static String rows(long jump, long first, long last) {
        String i = jump == 1 ? "i" : jump + "i";
        return i + offset(first) + ".." + i + offset(last);
    }

    private static String offset(long value) {
        return value == 0 ? "" : value > 0 ? "+" + value : Long.toString(value);
    }

    /** Input rows [first, last] that neuron {@code i} of window layer {@code top} reads, by the formula. */
    private static long[] rowsSeen(long[][] windows, int top, long i) {
        long first = i;
        long last = i;
        for (int layer = top; layer >= 0; layer--) {
            first = windows[layer][1] * first - windows[layer][2];
            last = windows[layer][1] * last - windows[layer][2] + windows[layer][0] - 1;
        }
        return new long[] {first, last};
    }
}
