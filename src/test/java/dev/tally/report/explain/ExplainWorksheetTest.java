package dev.tally.report.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@code tally explain models/worksheet.onnx --convention ops} against the worksheet (docs/worksheet-alexnet.md).
 * The expected file ExplainWorksheetTest.txt was written from the worksheet's own table and formulas, not from Tally:
 * for every row the worksheet's factors ({@code (11 x 11 x 3 + 1) x 64}, {@code 2 x 64 x 56 x 56},
 * {@code 64 x (2 x 2 - 1) x 28 x 28}, {@code (9216 + 1) x 4096}) with N = 1 for the one image, and its results; the
 * totals are the sums of those rows. It is never regenerated from Tally's output.
 */
class ExplainWorksheetTest {
    /** The worksheet's answer table: layer (as exported), params, ops. */
    private static final long[][] ANSWERS = {
        {0, 23296, 73056256}, {1, 0, 401408}, {2, 0, 150528}, {3, 307392, 240995328}, {4, 0, 301056}, {5, 0, 112896},
        {6, 663936, 130131456}, {7, 0, 150528}, {8, 884992, 173458432}, {9, 0, 100352}, {10, 590080, 115655680},
        {11, 0, 100352}, {12, 0, 138240}, {14, 0, 0}, {15, 37752832, 37752832}, {16, 0, 8192}, {18, 16781312, 16781312},
        {19, 0, 8192}, {20, 4097000, 4097000},
    };

    @Test
    void explainPrintsTheWorksheetsDerivationOfEveryRow() throws IOException {
        String actual = run("explain", "models/worksheet.onnx", "--convention", "ops");
        String expected = Files.readString(Path.of("src/test/resources/dev/tally/report/explain/ExplainWorksheetTest.txt"),
                StandardCharsets.UTF_8);
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void everyRowEndsInTheWorksheetsParamsAndOps() throws IOException {
        String expected = Files.readString(Path.of("src/test/resources/dev/tally/report/explain/ExplainWorksheetTest.txt"),
                StandardCharsets.UTF_8);
        List<String> blocks = new ArrayList<>(List.of(expected.split("\n\n")));
        blocks.remove(0);
        String totals = blocks.remove(blocks.size() - 1);
        assertThat(blocks).hasSize(ANSWERS.length);
        for (int i = 0; i < ANSWERS.length; i++) {
            String block = blocks.get(i);
            assertThat(block).startsWith(ANSWERS[i][0] + "  ");
            assertThat(block).contains("\n  params = " + (ANSWERS[i][1] == 0 ? "0" : "(") )
                    .containsPattern("\n  params = .*" + grouped(ANSWERS[i][1]) + "\n");
            assertThat(block).containsPattern("\n  ops = .*" + grouped(ANSWERS[i][2]) + "(   \\(.*\\))?\n");
        }
        assertThat(totals).contains("\n  params = 23,296 + 307,392 + 663,936 + 884,992 + 590,080 + 37,752,832 + 16,781,312 + 4,097,000 = 61,100,840\n")
                .containsPattern("\n  ops = .* = 793,400,040\n");
        assertThat(ExplainEveryFixtureTest.reevaluate(expected.substring(expected.indexOf("\n\n") + 2)
                .lines().filter(l -> l.startsWith("  ")).reduce("", (a, b) -> a + b + "\n"), "worksheet")).isGreaterThan(90);
    }

    @Test
    void markdownLatexAndJsonCarryTheSameLines() {
        String markdown = run("explain", "models/worksheet.onnx", "0", "--convention", "ops", "--format", "markdown");
        assertThat(markdown).contains("$$\\mathrm{params} = \\left(K_{h} \\times K_{w} \\times C_{\\mathrm{in}}/g + 1\\right) \\times C_{\\mathrm{out}}"
                + " = \\left(11 \\times 11 \\times 3 + 1\\right) \\times 64 = 23{,}296$$");
        String latex = run("explain", "models/worksheet.onnx", "0", "--convention", "ops", "--format", "latex");
        assertThat(latex).contains("\\begin{align*}").contains("\\mathrm{ops} &= ").contains("= 73{,}056{,}256");
        String json = run("explain", "models/worksheet.onnx", "0", "--convention", "ops", "--format", "json");
        assertThat(json).contains("\"symbolic\" : \"(K_h x K_w x C_in/g + 1) x C_out\"")
                .contains("\"substituted\" : \"(11 x 11 x 3 + 1) x 64\"").contains("\"value\" : 23296");
    }

    @Test
    void layersAreChosenByNameOrGlobAndAnUnknownOneIsAUsageError() {
        String two = run("explain", "models/worksheet.onnx", "1?", "--convention", "ops");
        assertThat(two).contains("\n10  Conv").contains("\n19  Relu").doesNotContain("\n20  Gemm").doesNotContain("\n0  Conv").contains("Total of the layers shown");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "explain", "models/worksheet.onnx", "features.*");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("No layer matches 'features.*'. Layers: 0, 1, 2,");
        // The worksheet's first conv, 11 x 11, stride 4, padding 2, on the input (r = 1, j = 1, s = 0): rows 4i-2..4i+8.
        assertThat(run("explain", "models/worksheet.onnx", "0", "--receptive-field")).contains(
                "\n  RF size = r_in + D x (K - 1) x j_in = 1 + 1 x (11 - 1) x 1 = 11\n"
                        + "  jump = j_in x S = 1 x 4 = 4\n"
                        + "  start = s_in - P x j_in = 0 - 2 x 1 = -2   (rows seen 4i-2..4i+8)\n");
    }

    private static String grouped(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }
}
