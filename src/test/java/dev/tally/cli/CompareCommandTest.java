package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally compare} in-process; the golden files are in CompareGoldenTest, these check options and exit codes. */
class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void twoModelsSideBySideExitZeroWithDifferencesAgainstTheFirst() throws IOException {
        Run run = run("compare", Fixtures.file("lenet5.onnx").toString(), Fixtures.file("alexnet.onnx").toString(), "--format", "json");
        assertThat(run.code()).isZero();
        JsonNode params = JSON.readTree(run.out()).get("totals").get("params");
        long lenet = Fixtures.expected("lenet5").params();
        long alexnet = Fixtures.expected("alexnet").params();
        assertThat(params.get("values").get(0).asLong()).isEqualTo(lenet);
        assertThat(params.get("values").get(1).asLong()).isEqualTo(alexnet);
        assertThat(params.get("differences").get(0).isNull()).isTrue();
        assertThat(params.get("differences").get(1).get("absolute").asLong()).isEqualTo(alexnet - lenet);
    }

    @Test
    void anEarlierJsonReportComparesWithTheModelAsItIsNow() throws IOException {
        String lenet = Fixtures.file("lenet5.onnx").toString();
        Path report = dir.resolve("lenet5.json");
        assertThat(run("summary", lenet, "--format", "json", "--out", report.toString()).code()).isZero();
        Run run = run("compare", report.toString(), lenet, "--format", "json");
        assertThat(run.code()).isZero();
        JsonNode totals = JSON.readTree(run.out()).get("totals");
        for (String figure : new String[] {"params", "buffers", "paramBytes", "macs", "flops", "ops", "activationBytes"}) {
            assertThat(totals.get(figure).get("differences").get(1).get("absolute").asLong()).as(figure).isZero();
        }
        assertThat(totals.get("params").get("values").get(0).asLong()).isEqualTo(Fixtures.expected("lenet5").params());
    }

    @Test
    void oneModelIsNotAComparison() {
        Run run = run("compare", Fixtures.file("lenet5.onnx").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("see 'tally compare --help'");
    }

    @Test
    void aBadDepthFormatOrFileExitsTwoWithOneSentence() throws IOException {
        String lenet = Fixtures.file("lenet5.onnx").toString();
        assertThat(run("compare", lenet, lenet, "--depth", "0").err()).isEqualTo("--depth must be 1 or more, not 0.\n");
        assertThat(run("compare", lenet, lenet, "--format", "xml").err())
                .isEqualTo("Unknown format 'xml'. Use one of: table, json, csv, markdown, html.\n");
        Path bad = Files.writeString(dir.resolve("bad.onnx"), "nope");
        Run run = run("compare", lenet, bad.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("bad.onnx is not a model Tally reads").doesNotContain("Exception");
    }
}
