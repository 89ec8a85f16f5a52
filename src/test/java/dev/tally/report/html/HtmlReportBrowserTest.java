package dev.tally.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.load.ModelLoader;
import dev.tally.report.JsonRenderer;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.explain.ExplainFormat;
import dev.tally.report.explain.Explainer;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders the HTML report of real fixture models, opens it in headless Chromium (Debian's package, which
 * scripts/test installs), takes a screenshot into target/test-output/html for a person to look at, and checks
 * the DOM after the page's script ran: five charts, one bar per layer in the four per-layer charts, the marked memory peak and totals
 * equal to the JSON report's, and no request to any network address.
 */
class HtmlReportBrowserTest {
    private static final Path OUTPUT = Fixtures.root().resolve("target/test-output/html");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"alexnet", "densenet121"})
    void theReportShowsOneBarPerLayerAndTheJsonTotalsInARealBrowser(String model) throws Exception {
        Path onnx = Fixtures.file(model + ".onnx");
        Files.createDirectories(OUTPUT);
        Tally.Options options = Tally.Options.defaults();
        Summary unfolded = Tally.analyze(onnx, options);
        int depth = HtmlRenderer.chooseDepth(d -> Tally.analyze(onnx, options.withDepth(d)).layers().size());
        Summary summary = depth == 0 ? unfolded : Tally.analyze(onnx, options.withDepth(depth));
        String html = new HtmlRenderer().render(summary, Convention.MACS);
        Path page = OUTPUT.resolve(model + ".html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        JsonNode json = JSON.readTree(new JsonRenderer().render(unfolded, Convention.MACS));

        assertThat(html).as("no reference to any network resource")
                .doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//");
        Browser browser = Browser.open(page, OUTPUT.resolve(model + ".png"));
        String dom = browser.dom();

        assertThat(count(dom, "<svg class=\"chart ")).isEqualTo(5);
        for (String chart : List.of("memory", "params", "macs")) {
            assertThat(count(section(dom, "chart-" + chart), "class=\"bar\""))
                    .as("bars in the %s chart", chart).isEqualTo(summary.layers().size());
        }
        JsonNode totals = json.get("totals");
        // Memory over execution: one bar per layer (live bytes after it), and the marked peak is the JSON's peak.
        String live = section(dom, "chart-live");
        assertThat(count(live, "<rect class=\"bar")).as("bars in the live-memory chart").isEqualTo(summary.layers().size());
        Matcher peak = Pattern.compile("<g class=\"peak\" data-value=\"([0-9]+)\" data-layer=\"([^\"]*)\"").matcher(live);
        assertThat(peak.find()).as("the marked peak").isTrue();
        long peakBytes = totals.get("peakActivationBytes").asLong();
        assertThat(Long.parseLong(peak.group(1))).isEqualTo(peakBytes).isPositive();
        assertThat(live).contains("peak " + String.format(java.util.Locale.ROOT, "%,d", peakBytes) + " B (");
        assertThat(peak.group(2)).as("the layer of the peak").isNotEmpty();
        assertThat(live).contains("during " + peak.group(2));
        assertThat(count(live, "class=\"bar at-peak\" data-layer=\"" + peak.group(2) + "\"")).isEqualTo(1);
        assertThat(dom).as("receptive-field columns").contains("<th>RF size</th><th>Jump</th><th>Input rows seen by neuron i</th>");
        for (String key : List.of("params", "buffers", "paramBytes", "macs", "flops", "ops", "activationBytes")) {
            Matcher cell = Pattern.compile("data-total=\"" + key + "\">([0-9,]+)<").matcher(dom);
            assertThat(cell.find()).as("total cell %s", key).isTrue();
            assertThat(Long.parseLong(cell.group(1).replace(",", ""))).as(key).isEqualTo(totals.get(key).asLong());
        }
        assertThat(browser.pageRequests()).as("requests the page made").isEmpty();
        assertThat(OUTPUT.resolve(model + ".png")).isNotEmptyFile();
        if (model.equals("densenet121")) {
            assertThat(summary.depth()).as("densenet121 has hundreds of layers, so the report groups them").isPositive();
            assertThat(summary.layers().size()).isLessThanOrEqualTo(HtmlRenderer.MAX_ROWS);
            assertThat(dom).contains("id=\"grouping\"");
        }
    }

    /** A click on a table row shows that layer's derivation, from the page itself (a click dispatched in Chromium). */
    @Test
    void clickingARowShowsThatLayersDerivation() throws Exception {
        Path onnx = Fixtures.file("alexnet.onnx");
        Files.createDirectories(OUTPUT);
        Analyzer analyzer = new Analyzer();
        Analysis analysis = analyzer.analyze(ModelLoader.load(onnx, Map.of()), Map.of(), false);
        Summary summary = SummaryBuilder.build(analysis);
        String html = new HtmlRenderer().withDerivations(ExplainFormat.textByLayer(
                new Explainer(analyzer.rules()).explain(analysis, List.of(), Convention.MACS))).render(summary, Convention.MACS);
        // The test's own script clicks the first row (features.0) after the page's scripts ran, as a person would.
        String clicked = html.replace("</body>", "<script>document.querySelector('#layers tbody tr').click();</script>\n</body>");
        Path page = OUTPUT.resolve("alexnet-derivation.html");
        Files.writeString(page, clicked, StandardCharsets.UTF_8);
        Browser browser = Browser.open(page, OUTPUT.resolve("alexnet-derivation.png"));
        String dom = browser.dom();

        Matcher shown = Pattern.compile("<pre class=\"derivation\" id=\"(derivation-[0-9]+)\">([^<]*)</pre>").matcher(dom);
        assertThat(shown.find()).as("a derivation is shown").isTrue();
        assertThat(shown.group(1)).isEqualTo("derivation-1");
        assertThat(shown.group(2)).startsWith("features.0  Conv  1x3x224x224 -&gt; 1x64x55x55")
                .contains("params = (K_h x K_w x C_in/g + 1) x C_out = (11 x 11 x 3 + 1) x 64 = 23,296")
                .contains("macs = N x C_out x H_out x W_out x K_h x K_w x C_in/g = 1 x 64 x 55 x 55 x 11 x 11 x 3 = 70,276,800");
        assertThat(shown.find()).as("only one derivation is shown").isFalse();
        assertThat(count(dom, "<pre class=\"derivation\"")).isEqualTo(summary.layers().size());
        assertThat(browser.pageRequests()).as("requests the page made").isEmpty();
    }

    /**
     * A detection model's rows whose sizes depend on the data carry the class the legend explains, in the page as
     * Chromium builds it (fasterrcnn_mobilenet_v3_large_320_fpn from scripts/export_zoo.py: its roi_heads run on the
     * proposals NonMaxSuppression keeps).
     */
    @Test
    void dataDependentRowsAreMarkedAndExplainedByALegend() throws Exception {
        Path onnx = Fixtures.dir().resolve("zoo/fasterrcnn_mobilenet_v3_large_320_fpn.onnx");
        Files.createDirectories(OUTPUT);
        Summary summary = SummaryBuilder.build(new Analyzer().analyze(ModelLoader.load(onnx, Map.of()), Map.of(), false));
        long marked = summary.layers().stream().filter(dev.tally.report.LayerSummary::isDataDependent).count();
        assertThat(marked).as("data-dependent rows").isPositive().isLessThan(summary.layers().size());
        Path page = OUTPUT.resolve("fasterrcnn-data-dependent.html");
        Files.writeString(page, new HtmlRenderer().render(summary, Convention.MACS), StandardCharsets.UTF_8);
        String dom = Browser.open(page, OUTPUT.resolve("fasterrcnn-data-dependent.png")).dom();

        assertThat(count(dom, "<tr class=\"data-dependent\">")).isEqualTo(marked);
        assertThat(dom).contains("id=\"data-dependent-legend\"").contains("<section id=\"data-dependent\">")
                .contains("count of nonzero elements is at most");
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            count++;
        }
        return count;
    }

    private static String section(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertThat(start).as("element %s", id).isNotNegative();
        return dom.substring(start, dom.indexOf("</svg>", start));
    }

    /** Headless Chromium run twice on one page: once for the DOM after scripts, once for a screenshot. */
    record Browser(String dom, Path netLog) {
        static Browser open(Path page, Path screenshot) throws IOException, InterruptedException {
            Path profile = Files.createTempDirectory("tally-chromium");
            Path netLog = Files.createTempFile("tally-netlog", ".json");
            String url = page.toUri().toString();
            String dom = run(profile, List.of("--log-net-log=" + netLog, "--dump-dom", url));
            run(profile, List.of("--window-size=1280,2600", "--hide-scrollbars", "--screenshot=" + screenshot, url));
            return new Browser(dom, netLog);
        }

        private static String run(Path profile, List<String> args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile));
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            assertThat(process.exitValue()).as("chromium exit code").isZero();
            return out;
        }

        private static String chromium() {
            for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
                if (Files.isExecutable(Path.of(candidate))) {
                    return candidate;
                }
            }
            throw new IllegalStateException("Chromium is not installed; scripts/test installs it (apt-get install -y chromium).");
        }

        /**
         * URLs the page itself asked for. Chromium's own background requests carry the initiator "not an origin";
         * a file:// page's requests carry "null".
         */
        List<String> pageRequests() throws IOException {
            JsonNode log = JSON.readTree(netLog.toFile());
            int startJob = log.get("constants").get("logEventTypes").get("URL_REQUEST_START_JOB").asInt();
            List<String> urls = new ArrayList<>();
            for (JsonNode event : log.get("events")) {
                JsonNode params = event.get("params");
                if (event.get("type").asInt() != startJob || params == null || !params.has("url")) {
                    continue;
                }
                String url = params.get("url").asText();
                String initiator = params.path("initiator").asText("");
                if (!initiator.equals("not an origin") && !url.startsWith("file:") && !url.startsWith("data:")) {
                    urls.add(url);
                }
            }
            return urls;
        }
    }
}
