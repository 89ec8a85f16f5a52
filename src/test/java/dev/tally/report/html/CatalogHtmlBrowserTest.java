package dev.tally.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The catalog's HTML page in headless Chromium, like the summary report: one point per weights entry with a
 * cost and an accuracy in each chart, the Pareto points and line, the user's model marked, the table, and no
 * request to any network address.
 */
class CatalogHtmlBrowserTest {
    private static final Path OUTPUT = Fixtures.root().resolve("target/test-output/html");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theCatalogPageDrawsOnePointPerEntryAndTheFrontInARealBrowser() throws Exception {
        Files.createDirectories(OUTPUT);
        Path page = OUTPUT.resolve("catalog-resnet18.html");
        String model = Fixtures.file("resnet18.pth").toString();
        assertThat(run("compare", model, "--catalog", "--format", "html", "--out", page.toString())).isEmpty();
        JsonNode json = JSON.readTree(run("compare", model, "--catalog", "--format", "json"));
        int plotted = 0;
        int withAccuracy = 0;
        int front = 0;
        for (JsonNode row : json.get("rows")) {
            if (!row.get("yours").asBoolean() && !row.get("accuracyMetric").isNull()
                    && !row.get("metrics").elements().next().get(row.get("accuracyMetric").asText()).isNull()) {
                withAccuracy++;
                if (!row.get("macs").isNull()) {
                    plotted++;
                    front += row.get("pareto").asBoolean() ? 1 : 0;
                }
            }
        }
        String html = Files.readString(page);
        assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//");

        HtmlReportBrowserTest.Browser browser = HtmlReportBrowserTest.Browser.open(page, OUTPUT.resolve("catalog-resnet18.png"));
        String dom = browser.dom();
        String macs = svg(dom, "macs-classification");
        assertThat(count(macs, "<circle class=\"point")).as("points in the MACs chart").isEqualTo(plotted);
        assertThat(count(macs, "<circle class=\"point pareto\"")).as("Pareto points").isEqualTo(front);
        assertThat(macs).contains("<polyline class=\"front\"").contains("class=\"yours-line\"").contains("resnet18.pth");
        // The second chart: peak activation memory, which every row with a counted graph has.
        String memory = svg(dom, "memory-classification");
        assertThat(count(memory, "<circle class=\"point")).as("points in the peak-memory chart").isEqualTo(plotted);
        assertThat(dom).doesNotContain("so the second chart plots params instead");
        Matcher rows = Pattern.compile("<tr( class=\"yours\")?>").matcher(dom.substring(dom.indexOf("<tbody>", dom.indexOf("id=\"catalog\""))));
        int tableRows = 0;
        while (rows.find()) {
            tableRows++;
        }
        assertThat(tableRows).as("table rows: every entry and yours").isEqualTo(json.get("rows").size());
        assertThat(browser.pageRequests()).as("requests the page made").isEmpty();
        assertThat(OUTPUT.resolve("catalog-resnet18.png")).isNotEmptyFile();
    }

    @Test
    void detectionRowsAreDrawnHollowAtTheirBoundInARealBrowser() throws Exception {
        Files.createDirectories(OUTPUT);
        Path page = OUTPUT.resolve("catalog-detection.html");
        assertThat(run("catalog", "--task", "detection", "--format", "html", "--out", page.toString())).isEmpty();
        JsonNode json = JSON.readTree(run("catalog", "--task", "detection", "--format", "json"));
        HtmlReportBrowserTest.Browser browser = HtmlReportBrowserTest.Browser.open(page, OUTPUT.resolve("catalog-detection.png"));
        String macs = svg(browser.dom(), "macs-detection");
        int ranges = 0;
        for (JsonNode row : json.get("rows")) {
            ranges += row.get("dataDependentMacs").asLong() > 0 ? 1 : 0;
        }
        // Every detection row depends on the data in part: none is drawn as a plain (filled, exact) point.
        assertThat(count(macs, "<circle class=\"point")).as("points in the MACs chart").isEqualTo(json.get("rows").size());
        assertThat(count(macs, "bounded\" data-weights=")).as("hollow points").isEqualTo(json.get("rows").size());
        assertThat(count(macs, "<line class=\"bound-range\"")).as("dashed ranges from the exact part to the bound").isEqualTo(ranges).isPositive();
        assertThat(browser.pageRequests()).as("requests the page made").isEmpty();
    }

    @Test
    void withMemoryTheTableShowsEachRowsFitBatchInARealBrowser() throws Exception {
        Files.createDirectories(OUTPUT);
        Path page = OUTPUT.resolve("catalog-fit-batch.html");
        String[] args = {"catalog", "--memory", "4GiB", "--where", "family=resnet or family=mobilenetv3 or family=vision_transformer", "--format"};
        assertThat(run(concat(args, "html", "--out", page.toString()))).isEmpty();
        JsonNode json = JSON.readTree(run(concat(args, "json")));
        HtmlReportBrowserTest.Browser browser = HtmlReportBrowserTest.Browser.open(page, OUTPUT.resolve("catalog-fit-batch.png"));
        String dom = browser.dom();
        String table = dom.substring(dom.indexOf("id=\"catalog\""), dom.indexOf("</table>", dom.indexOf("id=\"catalog\"")));
        java.util.List<String> headers = new java.util.ArrayList<>();
        Matcher header = Pattern.compile("<th[^>]*>([^<]*)</th>").matcher(table);
        while (header.find()) {
            headers.add(header.group(1));
        }
        int fitColumn = headers.indexOf("Fit batch");
        assertThat(fitColumn).as("the Fit batch column in %s", headers).isNotNegative();
        int checked = 0;
        for (JsonNode row : json.get("rows")) {
            String weights = row.get("weights").asText();
            int start = table.indexOf("<td>" + weights + "</td>");
            assertThat(start).as("table row of %s", weights).isNotNegative();
            Matcher cells = Pattern.compile("<td[^>]*>([^<]*)</td>").matcher(table.substring(start, table.indexOf("</tr>", start)));
            String cell = null;
            for (int i = 0; i <= fitColumn && cells.find(); i++) {
                cell = cells.group(1);
            }
            assertThat(cell).as("Fit batch of %s", weights)
                    .isEqualTo(row.get("fitBatch").isNull() ? "-" : String.format("%,d", row.get("fitBatch").asLong()));
            checked += row.get("fitBatch").isNull() ? 0 : 1;
        }
        assertThat(checked).as("rows with a fitBatch").isGreaterThan(10);
        assertThat(dom).contains("Fit batch: the largest batch");
        assertThat(browser.pageRequests()).as("requests the page made").isEmpty();
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    private static String svg(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertThat(start).as("chart %s", id).isNotNegative();
        return dom.substring(start, dom.indexOf("</svg>", start));
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            count++;
        }
        return count;
    }
}
