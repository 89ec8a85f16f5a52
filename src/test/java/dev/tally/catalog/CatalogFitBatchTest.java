package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.load.onnx.proto.Onnx;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally catalog --memory SIZE}: each row's fitBatch is the largest batch whose memory fits. Checked here
 * without reusing the catalog's search: the row's own graph, written to a file with its input dims opened, is
 * summarized at B and at B + 1 through {@code tally summary} (B fits, B + 1 does not), and {@code tally fit} on the
 * same file gives the same B.
 */
class CatalogFitBatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GIB = 1L << 30;

    @TempDir
    Path folder;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString().strip());
    }

    private static JsonNode json(String... args) throws IOException {
        Run result = run(args);
        assertThat(result.code()).as("exit code; stderr: %s", result.err()).isZero();
        return JSON.readTree(result.out());
    }

    @Test
    void fitBatchIsTheLargestBatchThatFitsAndEqualsTallyFitOnTheSameGraph() throws IOException {
        // A plain classifier, a re-sized one (evaluated at 384, graph exported at another size), a segmentation
        // model at 520x520, a video model (batch axis of a rank-5 input), and Swin V2, MaxViT and MViT v1, whose graphs
        // were exported with a symbolic batch (their Reshapes and MViT's class-token Concat read it from the input).
        String where = "weights=ResNet18_Weights.IMAGENET1K_V1 or weights=EfficientNet_V2_S_Weights.IMAGENET1K_V1"
                + " or weights=FCN_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1 or weights=R3D_18_Weights.KINETICS400_V1"
                + " or weights=Swin_V2_B_Weights.IMAGENET1K_V1 or weights=MaxVit_T_Weights.IMAGENET1K_V1"
                + " or weights=MViT_V1_B_Weights.KINETICS400_V1";
        JsonNode table = json("catalog", "--task", "all", "--memory", "1GiB", "--where", where, "--format", "json");
        assertThat(table.get("memory").get("bytes").asLong()).isEqualTo(GIB);
        assertThat(table.get("memory").get("by").asText()).isEqualTo("peak");
        assertThat(table.get("rows")).hasSize(7);
        for (JsonNode row : table.get("rows")) {
            String weights = row.get("weights").asText();
            long batch = row.get("fitBatch").asLong();
            assertThat(batch).as("fitBatch of %s", weights).isPositive();
            Path graph = openedGraph(weights);
            String input = shape(row.get("input"));
            assertThat(peakMemory(graph, batch, input)).as("%s fits at batch %d", weights, batch).isLessThanOrEqualTo(GIB);
            assertThat(peakMemory(graph, batch + 1, input)).as("%s does not fit at batch %d", weights, batch + 1).isGreaterThan(GIB);
            assertThat(tallyFit(graph, input, "1GiB", "peak")).as("tally fit on the graph of %s", weights).isEqualTo(batch);
        }
    }

    @Test
    void rowsWhoseOnnxGraphKeepsBatchOneFitOnTheirTracedGraph() throws IOException {
        // ViT, ShuffleNet and Swin-T were exported with batch 1 in a Reshape; their traced graphs follow the batch.
        // Swin-S has its traced graph alone.
        for (String weights : List.of("ViT_B_32_Weights.IMAGENET1K_V1", "ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1",
                "Swin_T_Weights.IMAGENET1K_V1", "Swin_S_Weights.IMAGENET1K_V1")) {
            JsonNode row = json("catalog", "--memory", "1GiB", "--where", "weights=" + weights, "--format", "json").get("rows").get(0);
            long batch = row.get("fitBatch").asLong();
            assertThat(batch).as("fitBatch of %s", weights).isPositive();
            Path graph = tracedGraph(weights);
            String input = shape(row.get("input"));
            assertThat(peakMemory(graph, batch, input)).as("%s fits at batch %d", weights, batch).isLessThanOrEqualTo(GIB);
            assertThat(peakMemory(graph, batch + 1, input)).as("%s does not fit at batch %d", weights, batch + 1).isGreaterThan(GIB);
            assertThat(tallyFit(graph, input, "1GiB", "peak")).as("tally fit on the traced graph of %s", weights).isEqualTo(batch);
        }
    }

    @Test
    void opticalFlowRowsFitTheirBatchOfFramePairsOnTheScriptedGraph() throws IOException {
        // RAFT's scripted graph has two inputs, image1 and image2, whose batch grows together: a batch of frame pairs.
        String weights = "Raft_Small_Weights.C_T_V2";
        JsonNode row = json("catalog", "--task", "optical_flow", "--memory", "2GiB", "--where", "weights=" + weights,
                "--format", "json").get("rows").get(0);
        long batch = row.get("fitBatch").asLong();
        assertThat(batch).as("fitBatch of %s (%s)", weights, row.get("note").asText()).isPositive();
        Path graph = tracedGraph(weights);
        String frame = shape(row.get("input"));
        assertThat(pairMemory(graph, batch, frame)).as("%s fits at batch %d", weights, batch).isLessThanOrEqualTo(2 * GIB);
        assertThat(pairMemory(graph, batch + 1, frame)).as("%s does not fit at batch %d", weights, batch + 1).isGreaterThan(2 * GIB);
        Run fit = run("fit", graph.toString(), "--memory", "2GiB", "--input", "image1=" + frame, "--input", "image2=" + frame);
        assertThat(fit.code()).as("tally fit; stderr: %s", fit.err()).isZero();
        Matcher answer = Pattern.compile("Largest batch that fits: (\\d+)").matcher(fit.out());
        assertThat(answer.find()).as(fit.out()).isTrue();
        assertThat(Long.parseLong(answer.group(1))).as("tally fit on the scripted graph of %s", weights).isEqualTo(batch);
    }

    /** Weights plus peak activations of a two-frame graph with both frames at {@code batch}. */
    private static long pairMemory(Path graph, long batch, String frame) throws IOException {
        String atBatch = batch + frame.substring(frame.indexOf('x'));
        JsonNode totals = json("summary", graph.toString(), "--input", "image1=" + atBatch, "--input", "image2=" + atBatch,
                "--format", "json").get("totals");
        return totals.get("paramBytes").asLong() + totals.get("peakActivationBytes").asLong();
    }

    @Test
    void everyClassifierHasAFitBatch() throws IOException {
        List<String> without = new ArrayList<>();
        int fitted = 0;
        for (JsonNode row : json("catalog", "--memory", "12GiB", "--format", "json").get("rows")) {
            assertThat(row.get("macs").isNull()).as("%s has a cost", row.get("weights").asText()).isFalse();
            if (row.get("fitBatch").isNull()) {
                without.add(row.get("weights").asText() + ": " + row.get("note").asText());
            } else {
                assertThat(row.get("fitBatch").asLong()).as(row.get("weights").asText()).isPositive();
                fitted++;
            }
        }
        assertThat(without).isEmpty();
        assertThat(fitted).isEqualTo(115);
    }

    @Test
    void detectionRowsSayTheirGraphTakesOneImageInsteadOfAFitBatch() throws IOException {
        JsonNode rows = json("catalog", "--task", "detection", "--memory", "12GiB", "--format", "json").get("rows");
        assertThat(rows).hasSize(13);
        for (JsonNode row : rows) {
            assertThat(row.get("fitBatch").isNull()).as(row.get("weights").asText()).isTrue();
            assertThat(row.get("peakActivationBytes").asLong()).as(row.get("weights").asText()).isPositive();
            assertThat(row.get("note").asText()).as(row.get("weights").asText())
                    .contains("no fitBatch: a detection graph takes one image (3x" + row.get("input").get(1).asText() + "x");
        }
    }

    @Test
    void byLargestFitsTheLargestSingleActivation() throws IOException {
        JsonNode row = json("catalog", "--memory", "100MiB", "--by", "largest", "--where", "weights=MobileNet_V2_Weights.IMAGENET1K_V1",
                "--format", "json").get("rows").get(0);
        long batch = row.get("fitBatch").asLong();
        Path graph = openedGraph("MobileNet_V2_Weights.IMAGENET1K_V1");
        String input = shape(row.get("input"));
        assertThat(largestActivation(graph, batch, input)).isLessThanOrEqualTo(100L << 20);
        assertThat(largestActivation(graph, batch + 1, input)).isGreaterThan(100L << 20);
        assertThat(tallyFit(graph, input, "100MiB", "largest")).isEqualTo(batch);
    }

    @Test
    void whereAndSortTakeFitBatchOverEveryRow() throws IOException {
        JsonNode rows = json("catalog", "--memory", "2GiB", "--where", "fitBatch>=64 and family=resnet", "--sort", "fitBatch",
                "--format", "json").get("rows");
        assertThat(rows.size()).isGreaterThan(1);
        long previous = Long.MAX_VALUE;
        for (JsonNode row : rows) {
            long batch = row.get("fitBatch").asLong();
            assertThat(batch).as(row.get("weights").asText()).isGreaterThanOrEqualTo(64);
            assertThat(batch).as("sorted largest first").isLessThanOrEqualTo(previous);
            previous = batch;
        }
        // Every resnet that fits 64 is kept: the same rows without the fitBatch condition, filtered here.
        JsonNode all = json("catalog", "--memory", "2GiB", "--where", "family=resnet", "--format", "json").get("rows");
        List<String> expected = new ArrayList<>();
        all.forEach(r -> {
            if (r.get("fitBatch").asLong() >= 64) {
                expected.add(r.get("weights").asText());
            }
        });
        List<String> actual = new ArrayList<>();
        rows.forEach(r -> actual.add(r.get("weights").asText()));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyFormatShowsFitBatch() throws IOException {
        String[] args = {"catalog", "--memory", "1GiB", "--where", "weights=ResNet18_Weights.IMAGENET1K_V1", "--format"};
        long batch = json(concat(args, "json")).get("rows").get(0).get("fitBatch").asLong();
        String exact = String.format("%,d", batch);
        Run table = run(concat(args, "table"));
        assertThat(table.out()).contains("Fit batch").contains("Fit batch: the largest batch");
        assertThat(table.out().lines().filter(l -> l.startsWith("ResNet18_Weights.IMAGENET1K_V1")).findFirst().orElseThrow())
                .containsPattern("\\s" + Pattern.quote(exact) + "(\\s|$)");
        Run markdown = run(concat(args, "markdown"));
        assertThat(markdown.out()).contains("| Fit batch").containsPattern("\\|\\s*" + Pattern.quote(exact) + "\\s*\\|");
        Run csv = run(concat(args, "csv"));
        List<String> header = List.of(csv.out().lines().findFirst().orElseThrow().split(","));
        String[] fields = csv.out().lines().skip(1).findFirst().orElseThrow().split(",");
        assertThat(fields[header.indexOf("fit_batch")]).isEqualTo(Long.toString(batch));
        Run html = run(concat(args, "html"));
        assertThat(html.out()).contains("<th>Fit batch</th>").contains("data-value=\"" + batch + "\">" + exact + "</td>");
    }

    @Test
    void fitBatchWithoutMemoryAndBadBudgetsAreRefused() {
        Run noMemory = run("catalog", "--where", "fitBatch>=8");
        assertThat(noMemory.code()).isEqualTo(2);
        assertThat(noMemory.err()).isEqualTo("The fitBatch column needs --memory SIZE (e.g. --memory 12GiB): it is the largest batch that fits that memory.");
        Run badSize = run("catalog", "--memory", "12 parsecs");
        assertThat(badSize.code()).isEqualTo(2);
        assertThat(badSize.err()).startsWith("--memory ").doesNotContain("\n");
        Run badBy = run("catalog", "--memory", "1GiB", "--by", "median");
        assertThat(badBy.code()).isEqualTo(2);
        assertThat(badBy.err()).isEqualTo("Unknown --by 'median'. Use one of: peak, largest.");
    }

    private static String[] concat(String[] args, String last) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    /** The weights entry's catalog graph, written with every input dim symbolic, as a user would export it. */
    private Path openedGraph(String weights) throws IOException {
        WeightsEntry entry = WeightsCatalog.standard().entries().stream().filter(e -> e.weights().equals(weights)).findFirst().orElseThrow();
        Onnx.ModelProto.Builder model = Onnx.ModelProto.parseFrom(WeightsCatalog.graphBytes(entry.graph())).toBuilder();
        Onnx.ValueInfoProto.Builder input = model.getGraphBuilder().getInputBuilder(0);
        Onnx.TensorShapeProto.Builder dims = input.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        for (int i = 0; i < dims.getDimCount(); i++) {
            dims.setDim(i, Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("d" + i));
        }
        Path file = folder.resolve(weights + ".onnx");
        Files.write(file, model.build().toByteArray());
        return file;
    }

    /** The weights entry's traced TorchScript graph, as a file. */
    private Path tracedGraph(String weights) throws IOException {
        WeightsEntry entry = WeightsCatalog.standard().entries().stream().filter(e -> e.weights().equals(weights)).findFirst().orElseThrow();
        assertThat(entry.tracedGraph()).as("the traced graph of %s", weights).isNotNull();
        Path file = folder.resolve(weights + ".traced.pt");
        Files.write(file, WeightsCatalog.graphBytes(entry.tracedGraph()));
        return file;
    }

    private static String shape(JsonNode dims) {
        List<String> parts = new ArrayList<>();
        dims.forEach(d -> parts.add(d.asText()));
        return String.join("x", parts);
    }

    private static JsonNode totalsAt(Path graph, long batch, String input) throws IOException {
        String atBatch = batch + input.substring(input.indexOf('x'));
        return json("summary", graph.toString(), "--input", atBatch, "--format", "json").get("totals");
    }

    private static long peakMemory(Path graph, long batch, String input) throws IOException {
        JsonNode totals = totalsAt(graph, batch, input);
        return totals.get("paramBytes").asLong() + totals.get("peakActivationBytes").asLong();
    }

    private static long largestActivation(Path graph, long batch, String input) throws IOException {
        return totalsAt(graph, batch, input).get("largestActivationBytes").asLong();
    }

    /** The answer of {@code tally fit GRAPH --memory SIZE --by BY --input INPUT}. */
    private static long tallyFit(Path graph, String input, String memory, String by) {
        Run fit = run("fit", graph.toString(), "--memory", memory, "--by", by, "--input", input);
        assertThat(fit.code()).as("tally fit; stderr: %s", fit.err()).isZero();
        Matcher answer = Pattern.compile("Largest batch that fits: (\\d+)").matcher(fit.out());
        assertThat(answer.find()).as(fit.out()).isTrue();
        return Long.parseLong(answer.group(1));
    }
}
