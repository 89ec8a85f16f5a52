package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The detection rows in every format: the exact part and the data-dependent bound are both shown and the bound is
 * marked as one (table, Markdown, CSV, JSON), and the HTML chart draws a bounded row hollow at its bound with a line back
 * to its exact part, never as a plain point. WeightsCatalogTest checks the figures against the real models.
 */
class CatalogDetectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FASTER_RCNN = "FasterRCNN_ResNet50_FPN_Weights.COCO_V1";
    private static final String RETINANET = "RetinaNet_ResNet50_FPN_Weights.COCO_V1";

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    private static JsonNode row(JsonNode table, String weights) {
        for (JsonNode row : table.get("rows")) {
            if (row.get("weights").asText().equals(weights)) {
                return row;
            }
        }
        throw new AssertionError(weights + " is not in the table");
    }

    private static String row(String text, String weights) {
        return text.lines().map(l -> l.replace("\\", "")).filter(l -> l.startsWith(weights) || l.startsWith("| " + weights))
                .findFirst().orElseThrow();
    }

    @Test
    void textFormatsShowTheExactPartPlusTheMarkedBound() throws IOException {
        JsonNode table = JSON.readTree(run("catalog", "--task", "detection", "--format", "json"));
        JsonNode faster = row(table, FASTER_RCNN);
        long exact = faster.get("macs").asLong();
        long bound = faster.get("dataDependentMacs").asLong();
        assertThat(bound).as("Faster R-CNN's RoI heads run on the proposals").isPositive();
        assertThat(row(table, RETINANET).get("dataDependentMacs").asLong()).as("RetinaNet's postprocess has no MACs").isZero();
        String macs = String.format("%,d + <=%,d", exact, bound);
        String flops = String.format("%,d + <=%,d", 2 * exact, 2 * bound);
        for (String format : List.of("table", "markdown")) {
            String text = run("catalog", "--task", "detection", "--format", format);
            // The table's row (Markdown escapes _ and < with a backslash), not the note under it.
            String line = row(text, FASTER_RCNN);
            assertThat(line).as(format).contains(macs).contains(flops).containsPattern("<=\\d[\\d.]* [KMG]i?B");
            String retina = row(text, RETINANET);
            assertThat(retina).as("%s: an exact count has no bound written", format).doesNotContain("+ <=");
            assertThat(text).as(format).contains("A cost written \"X + <=Y\" (detection) depends on the data in part");
        }
        String csv = run("catalog", "--task", "detection", "--format", "csv");
        List<String> header = List.of(csv.lines().findFirst().orElseThrow().split(","));
        String fasterLine = csv.lines().filter(l -> l.contains(FASTER_RCNN)).findFirst().orElseThrow();
        List<String> fields = List.of(fasterLine.split(","));
        assertThat(fields.get(header.indexOf("macs"))).isEqualTo(Long.toString(exact));
        assertThat(fields.get(header.indexOf("data_dependent_macs"))).isEqualTo(Long.toString(bound));
    }

    @Test
    void theChartDrawsABoundedRowHollowAtItsBoundWithALineToItsExactPart() throws IOException {
        JsonNode table = JSON.readTree(run("catalog", "--task", "detection", "--format", "json"));
        String html = run("catalog", "--task", "detection", "--format", "html");
        int bounded = 0;
        for (JsonNode row : table.get("rows")) {
            String weights = row.get("weights").asText();
            Matcher point = Pattern.compile("<circle class=\"point( pareto)?( bounded)?\" data-weights=\"" + Pattern.quote(weights)
                    + "\"[^>]*><title>([^<]*)</title>").matcher(html.substring(html.indexOf("id=\"macs-detection\"")));
            assertThat(point.find()).as("the MACs chart's point of %s", weights).isTrue();
            assertThat(point.group(2)).as("%s drawn as bounded", weights).isNotNull();
            long most = row.get("macs").asLong() + row.get("dataDependentMacs").asLong();
            assertThat(point.group(3)).as("hover of %s", weights).contains(String.format("at most %,d MACs", most));
            bounded++;
        }
        assertThat(bounded).isEqualTo(13);
        // One dashed range per row whose bound is above its exact part.
        long ranges = table.findValues("dataDependentMacs").stream().filter(v -> v.asLong() > 0).count();
        String macsChart = html.substring(html.indexOf("id=\"macs-detection\""), html.indexOf("</svg>", html.indexOf("id=\"macs-detection\"")));
        assertThat(Pattern.compile("<line class=\"bound-range\"").matcher(macsChart).results().count()).isEqualTo(ranges).isPositive();
        assertThat(html).contains("Hollow points depend on the data in part");
    }
}
