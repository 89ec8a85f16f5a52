package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally check} in-process on the PyTorch-made fixtures. The oracle is PyTorch's own figures in
 * {@code alexnet.expected.json}: 61,100,840 params and 714,188,480 MACs at 1x3x224x224 (torchvision lists 0.71 GFLOPS).
 */
class CheckCommandTest {
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

    private static String alexnet() {
        return Fixtures.file("alexnet.onnx").toString();
    }

    @Test
    void theOracleIsPyTorchsOwnFigures() {
        assertThat(Fixtures.expected("alexnet").params()).isEqualTo(61_100_840L);
        assertThat(Fixtures.expected("alexnet").macs()).isEqualTo(714_188_480L);
    }

    @Test
    void aModelWithinEveryLimitExitsZero() {
        Run run = run("check", alexnet(), "--max-params", "62M", "--max-macs", "0.8G", "--max-activation", "60MB");
        assertThat(run.code()).isZero();
        assertThat(run.out()).endsWith("0 of 3 limits exceeded in 1 model. Exit code 0.\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aModelOverALimitExitsOneAndSaysByHowMuch() {
        Run run = run("check", alexnet(), "--max-params", "62M", "--max-macs", "700M");
        assertThat(run.code()).isEqualTo(1);
        // 714,188,480 - 700,000,000 = 14,188,480, which is 2.03% of 700,000,000.
        assertThat(run.out()).contains(alexnet() + ": macs 714,188,480 (714.2 M) is over the limit 700M (700,000,000) "
                + "by 14,188,480 (2.03%).");
        assertThat(run.out()).endsWith("1 of 2 limits exceeded in 1 model. Exit code 1.\n");
    }

    @Test
    void jsonGivesScriptsEveryFigureAndTheExitCode() throws IOException {
        Run run = run("check", alexnet(), "--max-macs", "700M", "--format", "json");
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("exitCode").asInt()).isEqualTo(1);
        JsonNode result = root.get("models").get(0).get("results").get(0);
        assertThat(result.get("figure").asText()).isEqualTo("macs");
        assertThat(result.get("actual").asLong()).isEqualTo(714_188_480L);
        assertThat(result.get("max").asLong()).isEqualTo(700_000_000L);
        assertThat(result.get("excess").asLong()).isEqualTo(14_188_480L);
        assertThat(result.get("status").asText()).isEqualTo("fail");
    }

    @Test
    void aFileThatIsNotAModelExitsTwoWithOneSentenceAndNoStackTrace() throws IOException {
        Path bad = Files.writeString(dir.resolve("notes.onnx"), "not a model");
        Run run = run("check", bad.toString(), alexnet(), "--max-params", "62M");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("notes.onnx ").endsWith(".\n").doesNotContain("Exception", "\tat ");
        // The other model is still checked.
        assertThat(run.out()).containsPattern(java.util.regex.Pattern.quote(alexnet()) + " +params <= 62M +61,100,840 +62,000,000 +ok")
                .contains("1 error. Exit code 2.");
    }

    @Test
    void aBadUnitExitsTwoAndNamesTheOption() {
        Run run = run("check", alexnet(), "--max-activation", "60M");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("--max-activation '60M' has no byte unit; write 60MB for 1000-based or 60MiB for 1024-based bytes.\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void nothingToCheckOrNoLimitIsAUsageError() {
        assertThat(run("check").err()).isEqualTo("Nothing to check: give model files with --max-* limits, or --budget FILE.\n");
        Run noLimit = run("check", alexnet());
        assertThat(noLimit.code()).isEqualTo(2);
        assertThat(noLimit.err()).isEqualTo("No limit given: add at least one --max-* option (see 'tally check --help').\n");
    }

    @Test
    void aBudgetFileChecksEveryModelItsGlobMatchesRelativeToItself() throws IOException {
        Files.createDirectories(dir.resolve("exports"));
        Files.createSymbolicLink(dir.resolve("exports/alexnet.onnx"), Fixtures.file("alexnet.onnx"));
        Files.createSymbolicLink(dir.resolve("exports/lenet5.onnx"), Fixtures.file("lenet5.onnx"));
        Path budget = Files.writeString(dir.resolve("budgets.yaml"), """
                models:
                  - path: exports/*.onnx
                    limits: {params: 62M}
                  - path: exports/alexnet.onnx
                    input: 1x3x224x224
                    limits: {macs: 0.7G}
                """);
        Run run = run("check", "--budget", budget.toString(), "--format", "json");
        assertThat(run.code()).isEqualTo(1);
        JsonNode models = JSON.readTree(run.out()).get("models");
        assertThat(models).extracting(m -> m.get("model").asText())
                .containsExactly("exports/alexnet.onnx", "exports/lenet5.onnx", "exports/alexnet.onnx");
        assertThat(models.get(1).get("results").get(0).get("actual").asLong()).isEqualTo(Fixtures.expected("lenet5").params());
        assertThat(models.get(2).get("results").get(0).get("status").asText()).isEqualTo("fail");
    }

    @Test
    void aMalformedBudgetFileExitsTwoNamingTheLineAndKey() throws IOException {
        Path budget = Files.writeString(dir.resolve("budgets.yaml"), "models:\n  - path: x.onnx\n    limits:\n      macs: 0.8 GB\n");
        Run run = run("check", "--budget", budget.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("budgets.yaml line 4, key 'models[0].limits.macs': '0.8 GB' is a size in bytes, "
                + "but this figure is a count; write it like 62M or 0.8G.\n");
    }

    @Test
    void growthOverTheBaselineExitsOneAndAPerFigureGrowthCanAllowIt() throws IOException {
        Path baseline = dir.resolve("alexnet.json");
        assertThat(run("summary", alexnet(), "--format", "json", "--out", baseline.toString()).code()).isZero();
        // Pretend the earlier model had 700,000,000 MACs: today's 714,188,480 is 2.03% more.
        ObjectNode earlier = (ObjectNode) JSON.readTree(baseline.toFile());
        ((ObjectNode) earlier.get("totals")).put("macs", 700_000_000L).put("flops", 1_400_000_000L);
        JSON.writeValue(baseline.toFile(), earlier);

        Run over = run("check", alexnet(), "--baseline", baseline.toString(), "--max-growth", "2%");
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.out()).contains(": macs 714,188,480 (714.2 M) grew 2.03% from the baseline 700,000,000 (700.0 M), "
                + "over the allowed growth of 2% (at most 714,000,000) by 188,480 (0.03%).");
        assertThat(over.out()).contains("2 of 7 limits exceeded");

        Run allowed = run("check", alexnet(), "--baseline", baseline.toString(), "--max-growth", "macs=3%",
                "--max-growth", "flops=3%", "--max-growth", "1%");
        assertThat(allowed.code()).isZero();
    }

    @Test
    void growthNeedsABaselineAndABaselineOfOneModel() throws IOException {
        assertThat(run("check", alexnet(), "--max-growth", "2%").err())
                .isEqualTo("--max-growth needs --baseline FILE, an earlier 'tally summary --format json' of the model.\n");
        Path baseline = Files.writeString(dir.resolve("b.json"), "{\"totals\": {}}");
        Run two = run("check", alexnet(), alexnet(), "--baseline", baseline.toString(), "--max-growth", "2%");
        assertThat(two.code()).isEqualTo(2);
        assertThat(two.err()).isEqualTo("--baseline is the summary of one model, but 2 models were given; use a budget file "
                + "with one baseline per model.\n");
        assertThat(run("check", alexnet(), "--baseline", baseline.toString(), "--max-growth", "2%").err())
                .startsWith("The baseline " + baseline + " has no whole number at 'totals.params'");
    }

    @Test
    void junitWritesOneTestCasePerLimitThatValidates() throws Exception {
        Path xml = dir.resolve("report.xml");
        Run run = run("check", alexnet(), "--max-params", "62M", "--max-macs", "700M", "--junit", xml.toString());
        assertThat(run.code()).isEqualTo(1);
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Fixtures.root().resolve("src/test/resources/golden/check/junit-10.xsd").toFile())
                .newValidator().validate(new StreamSource(xml.toFile()));
        String text = Files.readString(xml);
        assertThat(text).contains("<testcase classname=").contains("name=\"macs &lt;= 700M\"")
                .contains("<failure message=\"" + alexnet() + ": macs 714,188,480");
    }

    @Test
    void theHelpDefinesTheUnits() {
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        Run run;
        try {
            // picocli warns on System.err when a help text has a bare '%'.
            System.setErr(new java.io.PrintStream(stderr, true));
            run = run("check", "--help");
        } finally {
            System.setErr(saved);
        }
        assertThat(stderr.toString()).isEmpty();
        assertThat(run.out()).contains("--max-growth 2%").contains("(params=0%)").contains("max-growth: {params: 0%, macs: 2%}");
        assertThat(run.out()).contains("counts take K, M, G, T = 10^3, 10^6, 10^9, 10^12")
                .contains("1000^n (60MB)").contains("KiB, MiB, GiB, TiB = 1024^n (1.5GiB)");
    }

    @Test
    void aCheckpointIsGatedThroughItsMatchedArchitecture() {
        String checkpoint = Fixtures.file("resnet18.pth").toString();
        Run within = run("check", checkpoint, "--max-params", "12M", "--max-weight-bytes", "50MB");
        assertThat(within.code()).as(within.err()).isZero();
        // PyTorch's resnet18 has 1,814,073,344 MACs at 224x224 (expected.json): a 1.5G limit is exceeded.
        Run over = run("check", checkpoint, "--max-macs", "1.5G");
        assertThat(over.code()).isEqualTo(ExitCodes.BUDGET_EXCEEDED);
        assertThat(over.out()).contains("macs 1,814,073,344 (1.8 G) is over the limit 1.5G (1,500,000,000) by 314,073,344 (20.94%).");
        assertThat(Fixtures.expected("resnet18").macs()).isEqualTo(1_814_073_344L);
    }
}
