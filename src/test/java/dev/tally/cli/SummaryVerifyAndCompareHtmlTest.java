package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code summary --verify} in each kind of output, and {@code compare --format html}, in-process on real fixtures. */
class SummaryVerifyAndCompareHtmlTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void summaryWithVerifyKeepsTheJsonContractAndAddsTheChecks() throws Exception {
        Run run = run("summary", Fixtures.file("alexnet.onnx").toString(), "--verify", "--format", "json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = JSON.readTree(run.out());
        assertThat(json.get("totals").get("params").asLong()).isEqualTo(Fixtures.expected("alexnet").params());
        JsonNode verification = json.get("verification");
        assertThat(verification.get("passed").asBoolean()).isTrue();
        assertThat(verification.get("checks")).isNotEmpty();
    }

    @Test
    void summaryWithVerifyShowsTheChecksInTheHtmlHeader() {
        Run run = run("summary", Fixtures.file("lenet5.onnx").toString(), "--verify", "--format", "html");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("<section id=\"verification\" class=\"pass\">", "Verification: passed");
    }

    @Test
    void aBatchCannotBeVerifiedInOneGo() {
        Run run = run("summary", Fixtures.file("lenet5.onnx").toString(), Fixtures.file("alexnet.onnx").toString(), "--verify");
        assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("--verify runs one model");
    }

    @Test
    void compareAsHtmlShowsTotalsSideBySideAndAGroupedBarPerModelAndStage() {
        Run run = run("compare", Fixtures.file("vgg16.onnx").toString(), Fixtures.file("vgg19.onnx").toString(), "--format", "html");
        assertThat(run.code()).as(run.err()).isZero();
        String html = run.out();
        Matcher vgg19Params = Pattern.compile("data-total=\"params\" data-model=\"1\">([0-9,]+)").matcher(html);
        assertThat(vgg19Params.find()).isTrue();
        assertThat(Long.parseLong(vgg19Params.group(1).replace(",", ""))).isEqualTo(Fixtures.expected("vgg19").params());
        assertThat(html).contains("id=\"chart-params\"", "id=\"chart-macs\"", "id=\"chart-activationBytes\"");
        // Top-level stages of both VGGs: features, avgpool, Flatten, classifier -> a bar for each model in each.
        int bars = html.split("class=\"bar\" style=", -1).length - 1;
        assertThat(bars % 3).isZero();
        assertThat(bars / 3).isGreaterThanOrEqualTo(2 * 3);
        assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//");
    }
}
