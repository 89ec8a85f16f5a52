package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optical flow rows (RAFT) in every format: the input is one frame's shape with the names of the two inputs that
 * each take it, in the table, Markdown, CSV and HTML alike; the HTML page says why optical flow has no chart; the
 * user's own two-frame model is placed among them with its inputs named; a named {@code --input} is refused in one
 * sentence. WeightsCatalogTest checks the figures against the real models.
 */
class CatalogOpticalFlowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RAFT = "Raft_Large_Weights.C_T_V2";

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString().strip());
    }

    private static String output(String... args) {
        Run result = run(args);
        assertThat(result.code()).as("exit code; stderr: %s", result.err()).isZero();
        return result.out();
    }

    @Test
    void everyFormatShowsOneFramesShapeAndTheTwoInputsThatTakeIt() throws IOException {
        JsonNode table = JSON.readTree(output("catalog", "--task", "optical_flow", "--format", "json"));
        assertThat(table.get("rows")).hasSize(8);
        JsonNode row = null;
        for (JsonNode r : table.get("rows")) {
            if (r.get("weights").asText().equals(RAFT)) {
                row = r;
            }
        }
        assertThat(row).as(RAFT).isNotNull();
        StringBuilder shape = new StringBuilder();
        row.get("input").forEach(d -> shape.append(shape.length() == 0 ? "" : "x").append(d.asText()));
        String input = shape + " (image1, image2)";
        String macs = String.format("%,d", row.get("macs").asLong());
        for (String format : List.of("table", "markdown")) {
            String text = output("catalog", "--task", "optical_flow", "--format", format);
            String line = text.lines().map(l -> l.replace("\\", "")).filter(l -> l.startsWith(RAFT) || l.startsWith("| " + RAFT))
                    .findFirst().orElseThrow();
            assertThat(line).as(format).contains(input).contains(macs);
            assertThat(text).as(format).contains("Input: the input the cost is counted at").contains("lower is better: epe, fl_all");
        }
        String csv = output("catalog", "--task", "optical_flow", "--format", "csv");
        assertThat(csv.lines().filter(l -> l.contains(RAFT)).findFirst().orElseThrow()).contains("\"" + input + "\"");
        String html = output("catalog", "--task", "optical_flow", "--format", "html");
        assertThat(html).contains("<td>" + input + "</td>")
                .contains("optical_flow: no chart: its entries publish errors (lower is better) on different benchmarks")
                .doesNotContain("id=\"macs-optical_flow\"");
    }

    @Test
    void yourTwoFrameModelIsPlacedAmongTheRaftRowsWithItsInputsNamed() throws IOException {
        // The zoo's RAFT small in ONNX (two 1x3x128x128 frames), with PyTorch's own count beside it.
        Path model = Fixtures.dir().resolve("zoo/raft_small.onnx");
        Path expected = Fixtures.dir().resolve("zoo/raft_small.expected.json");
        assertThat(Files.isRegularFile(model) && Files.isRegularFile(expected))
                .as("%s and its expected.json are made by /usr/bin/python3 scripts/export_zoo.py --out FIXTURES", model).isTrue();
        JsonNode table = JSON.readTree(output("compare", model.toString(), "--catalog", "--task", "optical_flow", "--format", "json"));
        JsonNode yours = null;
        for (JsonNode row : table.get("rows")) {
            if (row.get("yours").asBoolean()) {
                yours = row;
            }
        }
        assertThat(yours).as("your row").isNotNull();
        assertThat(table.get("rows")).hasSize(9);
        assertThat(yours.get("macs").asLong()).isEqualTo(JSON.readTree(expected.toFile()).get("macs").asLong());
        assertThat(yours.get("input").toString()).isEqualTo("[1,3,128,128]");
        assertThat(yours.get("inputNames").toString()).isEqualTo("[\"image1\",\"image2\"]");
        assertThat(yours.get("pareto").asBoolean()).isFalse();
    }

    @Test
    void aNamedInputIsRefusedInOneSentence() {
        Run named = run("catalog", "--task", "optical_flow", "--input", "image1=1x3x160x160");
        assertThat(named.code()).isEqualTo(2);
        assertThat(named.err()).isEqualTo("--input names no input here: it is one shape for every row (optical flow's two frames both "
                + "take it); write it as 1x3x160x160.");
    }
}
