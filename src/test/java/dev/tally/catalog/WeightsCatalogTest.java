package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every row of {@code tally catalog --task all} against the oracle scripts/export_catalog.py reads from the
 * installed torchvision at test time ({@code $TALLY_FIXTURES/catalog/oracle.json}): published num_params and
 * metrics, and the MACs of the real model (aten-level count) at the evaluation input and at 160x160. The Pareto
 * flags are recomputed here by brute force.
 */
class WeightsCatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static Map<String, JsonNode> oracle;

    @BeforeAll
    static void readOracle() throws IOException {
        oracle = new HashMap<>();
        JSON.readTree(Fixtures.file("catalog/oracle.json").toFile()).get("entries").forEach(e -> oracle.put(e.get("weights").asText(), e));
    }

    static JsonNode catalog(String... args) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("catalog", "--format", "json"));
        all.addAll(List.of(args));
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(new String[0]));
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return JSON.readTree(out.toString());
    }

    @Test
    void everyWeightsEntryOfTorchvisionIsOneRowWithItsPublishedParamsAndMetrics() throws IOException {
        JsonNode rows = catalog("--task", "all").get("rows");
        assertThat(rows.size()).isEqualTo(oracle.size());
        List<String> evalOnly = new ArrayList<>();
        Map<String, Long> buffersAsParams = new HashMap<>();
        for (JsonNode row : rows) {
            String weights = row.get("weights").asText();
            JsonNode expected = oracle.get(weights);
            assertThat(expected).as("%s is a torchvision weights entry", weights).isNotNull();
            assertThat(row.get("task").asText()).as("task of %s", weights).isEqualTo(expected.get("task").asText());
            assertThat(row.get("params").asLong()).as("params of %s", weights).isEqualTo(expected.get("numParams").asLong());
            assertSameMetrics(weights, row.get("metrics"), expected.get("metrics"));
            if (!row.get("graphParams").isNull() && row.get("graphParams").asLong() < expected.get("numParams").asLong()) {
                assertThat(row.get("note").asText()).as("why Tally's graph of %s has fewer params", weights).contains("not run in eval mode");
                evalOnly.add(weights);
            }
            if (!row.get("graphParams").isNull() && row.get("graphParams").asLong() > expected.get("numParams").asLong()) {
                assertThat(row.get("note").asText()).as("why Tally's graph of %s has more params", weights).contains("float buffers");
                long more = row.get("graphParams").asLong() - expected.get("numParams").asLong();
                if (row.get("task").asText().equals("detection")) {
                    // A pretrained detection backbone's FrozenBatchNorm2d keeps weight, bias, mean and variance as buffers.
                    assertThat(more).as("FrozenBatchNorm2d buffers of %s", weights).isEqualTo(expected.path("frozenBatchNormBuffers").asLong(-1));
                } else {
                    buffersAsParams.put(weights, more);
                }
            }
        }
        // Inception v3's published file and model keep the AuxLogits head (3,326,696 params), which eval mode never runs;
        // its quantized entry is counted on the same float graph.
        assertThat(evalOnly).containsExactly("Inception_V3_Weights.IMAGENET1K_V1", "Inception_V3_QuantizedWeights.IMAGENET1K_FBGEMM_V1");
        // Swin V2's relative_coords_table, a float buffer of (2 x 8 - 1)^2 x 2 = 450 elements in each of its 12 (T), 24 (S, B)
        // attention blocks, is an ONNX initializer like a weight.
        assertThat(buffersAsParams).isEqualTo(Map.of("Swin_V2_T_Weights.IMAGENET1K_V1", 12 * 450L,
                "Swin_V2_S_Weights.IMAGENET1K_V1", 24 * 450L, "Swin_V2_B_Weights.IMAGENET1K_V1", 24 * 450L));
    }

    private static void assertSameMetrics(String weights, JsonNode actual, JsonNode expected) {
        assertThat(names(actual)).as("datasets of %s", weights).isEqualTo(names(expected));
        for (String dataset : names(expected)) {
            JsonNode a = actual.get(dataset);
            JsonNode e = expected.get(dataset);
            assertThat(names(a)).as("metrics of %s on %s", weights, dataset).isEqualTo(names(e));
            for (String metric : names(e)) {
                if (e.get(metric).isNull()) {
                    assertThat(a.get(metric).isNull()).as("%s %s is not published (NaN)", weights, metric).isTrue();
                } else {
                    assertThat(a.get(metric).decimalValue()).as("%s %s %s", weights, dataset, metric).isEqualByComparingTo(e.get(metric).decimalValue());
                }
            }
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    @Test
    void macsAtTheEvaluationInputEqualTheRealModelsAtenCountForEveryRow() throws IOException {
        JsonNode rows = catalog("--task", "all").get("rows");
        int checked = 0;
        List<String> costed = new ArrayList<>();
        for (JsonNode row : rows) {
            String weights = row.get("weights").asText();
            JsonNode expected = oracle.get(weights);
            assertThat(row.get("macs").isNull()).as("%s has a cost (%s)", weights, row.get("note").asText()).isFalse();
            costed.add(weights);
            assertThat(expected.get("macs").isNull()).as("the oracle counted %s (%s)", weights, expected.path("macsError").asText()).isFalse();
            assertThat(row.get("input")).as("input of %s", weights).isEqualTo(expected.get("input"));
            assertThat(row.get("flops").asLong()).isEqualTo(2 * row.get("macs").asLong());
            if (row.get("task").asText().equals("detection")) {
                assertDetectionCost(weights, row, expected);
                checked++;
                continue;
            }
            assertThat(row.get("dataDependentMacs").isNull()).as("%s has no data-dependent part", weights).isTrue();
            assertThat(row.get("macs").asLong()).as("MACs of %s", weights).isEqualTo(expected.get("macs").asLong());
            if (row.get("task").asText().equals("quantization")) {
                // Counted on the float graph: the same MACs, but float32 activations, not the quantized model's quint8.
                assertThat(row.get("note").asText()).as("note of %s", weights).contains("counted on the float graph").contains("quint8");
                assertThat(row.get("peakActivationBytes").isNull()).as("no memory figure for %s", weights).isTrue();
            }
            if (row.get("task").asText().equals("optical_flow")) {
                assertOpticalFlowRow(weights, row, expected);
            }
            checked++;
        }
        // All 115 classification entries, the 14 quantized ones (on their float graphs), the six segmentation models,
        // the six video models, the 13 detection entries and the 8 optical flow ones: every row of the oracle.
        assertThat(checked).as("rows whose MACs were checked").isEqualTo(115 + 14 + 6 + 6 + 13 + 8).isEqualTo(oracle.size());
        // The architectures whose graphs the architecture catalog does not keep (too big, or their export failed).
        assertThat(costed).contains("Swin_B_Weights.IMAGENET1K_V1", "Swin_S_Weights.IMAGENET1K_V1", "Swin_V2_T_Weights.IMAGENET1K_V1",
                "Swin_V2_S_Weights.IMAGENET1K_V1", "Swin_V2_B_Weights.IMAGENET1K_V1", "RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_E2E_V1",
                "RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_LINEAR_V1", "ViT_L_16_Weights.IMAGENET1K_V1", "ViT_L_16_Weights.IMAGENET1K_SWAG_E2E_V1",
                "ViT_L_32_Weights.IMAGENET1K_V1", "ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1", "ViT_H_14_Weights.IMAGENET1K_SWAG_LINEAR_V1",
                "S3D_Weights.KINETICS400_V1", "MViT_V1_B_Weights.KINETICS400_V1", "MViT_V2_S_Weights.KINETICS400_V1", "ResNeXt101_64X4D_QuantizedWeights.IMAGENET1K_FBGEMM_V1",
                "ShuffleNet_V2_X0_5_QuantizedWeights.IMAGENET1K_FBGEMM_V1", "Inception_V3_QuantizedWeights.IMAGENET1K_FBGEMM_V1",
                "Raft_Small_Weights.C_T_V1", "Raft_Large_Weights.C_T_SKHT_K_V2");
        // Every detection entry, its exact part and its bound.
        assertThat(costed.stream().filter(w -> oracle.get(w).get("task").asText().equals("detection")).count())
                .as("detection rows with a cost").isEqualTo(13);
    }

    /**
     * An optical flow row (RAFT): two frames, each of the row's input, with the flow updates the real model's forward runs by
     * default, which the oracle read from it; peak memory counted.
     */
    private static void assertOpticalFlowRow(String weights, JsonNode row, JsonNode expected) {
        assertThat(row.get("inputNames").toString()).as("inputs of %s", weights).isEqualTo("[\"image1\",\"image2\"]");
        assertThat(expected.has("numFlowUpdates")).as("the oracle counts %s: an oracle.json older than this test; "
                + "scripts/export_catalog.py --out FIXTURES makes it again", weights).isTrue();
        assertThat(row.get("note").asText()).as("note of %s", weights).startsWith("two frames (image1, image2), each of the input shown, "
                + "with forward's default of " + expected.get("numFlowUpdates").asInt() + " flow updates");
        assertThat(row.get("peakActivationBytes").asLong()).as("peak memory of %s", weights).isPositive();
    }

    /**
     * A detection row: its exact part equals the real model's backbone and RPN/detection-head MACs (the modules whose work
     * does not depend on the boxes, counted per module by the zoo's hooks), and the exact part plus the data-dependent
     * bound is at least the real model's whole count on an image (which found what boxes its values gave).
     */
    private static void assertDetectionCost(String weights, JsonNode row, JsonNode expected) {
        assertThat(expected.has("macsDataIndependent")).as("the oracle counts the parts of %s: an oracle.json older than "
                + "this test; scripts/export_catalog.py --out FIXTURES makes it again", weights).isTrue();
        assertThat(row.get("dataDependentMacs").isNull()).as("%s has a data-dependent part", weights).isFalse();
        long exact = row.get("macs").asLong();
        long bound = row.get("dataDependentMacs").asLong();
        assertThat(exact).as("exact MACs of %s: backbone and heads", weights).isEqualTo(expected.get("macsDataIndependent").asLong());
        assertThat(exact + bound).as("MACs of %s at the bounds", weights).isGreaterThanOrEqualTo(expected.get("macs").asLong());
        if (bound == 0) {
            // RetinaNet, FCOS, SSD: what depends on the boxes (NMS, the detections) has no MACs, so the count is exact.
            assertThat(exact).as("MACs of %s", weights).isEqualTo(expected.get("macs").asLong());
        }
        assertThat(row.get("note").asText()).as("note of %s", weights).startsWith("data-dependent: ").contains("exact")
                .contains("peak memory is at those bounds");
    }

    @Test
    void atAnotherInputEveryRowEqualsTheRealModelThereOrSaysItCannotBeResized() throws IOException {
        JsonNode table = catalog("--task", "all", "--input", "1x3x160x160");
        int checked = 0;
        int refused = 0;
        int flow = 0;
        for (JsonNode row : table.get("rows")) {
            String weights = row.get("weights").asText();
            String task = row.get("task").asText();
            JsonNode expected = oracle.get(weights);
            assertThat(row.get("input").toString()).isEqualTo("[1,3,160,160]");
            if (row.get("macs").isNull()) {
                assertThat(row.get("note").asText()).as("why %s has no cost at 160", weights).isNotBlank();
                refused++;
                continue;
            }
            if (!task.equals("classification") && !task.equals("optical_flow")) {
                // The oracle counts the classifiers and RAFT at 160; a segmentation or quantized row counted there is not
                // checked, and a detection or video graph refuses a rank-4 input (the table says so in its note).
                continue;
            }
            assertThat(expected.get("macs160").isNull())
                    .as("%s counted at 160, but the real model refuses it: %s", weights, expected.path("macs160Error").asText()).isFalse();
            assertThat(row.get("macs").asLong()).as("MACs of %s at 160", weights).isEqualTo(expected.get("macs160").asLong());
            checked++;
            flow += task.equals("optical_flow") ? 1 : 0;
        }
        assertThat(checked).isGreaterThanOrEqualTo(80);
        // RAFT's two frames both take --input: every optical flow row is counted there, as the real model is.
        assertThat(flow).as("optical flow rows counted at 160").isEqualTo(8);
        assertThat(refused).as("ViTs cannot be re-sized, among others").isPositive();
    }

    @Test
    void anOpticalFlowInputTheModelRefusesIsRefusedInItsOwnWordsAndAWrongRankInOneSentence() throws IOException {
        // RAFT's forward refuses frames whose sides do not divide by 8; its scripted graph keeps that check.
        for (JsonNode row : catalog("--task", "optical_flow", "--input", "1x3x100x100").get("rows")) {
            String weights = row.get("weights").asText();
            JsonNode expected = oracle.get(weights);
            assertThat(expected.get("macs100").isNull()).as("the real %s refuses 100x100", weights).isTrue();
            assertThat(row.get("macs").isNull()).as("%s at 100x100", weights).isTrue();
            assertThat(row.get("note").asText()).as("note of %s", weights).startsWith("not countable at 1x3x100x100: ")
                    .contains(expected.get("macs100Error").asText()).doesNotContain("\n").doesNotContain("Exception");
        }
        for (JsonNode row : catalog("--task", "optical_flow", "--input", "1x3x16x112x112").get("rows")) {
            assertThat(row.get("note").asText()).as(row.get("weights").asText())
                    .matches("the graph takes a rank-4 input \\(1x3x\\d+x\\d+\\), not 1x3x16x112x112");
        }
    }

    @Test
    void opticalFlowErrorsSortAndFilterLowestFirst() throws IOException {
        JsonNode rows = catalog("--task", "optical_flow", "--where", "epe<=2", "--sort", "epe").get("rows");
        BigDecimal previous = null;
        int kept = 0;
        for (JsonNode row : rows) {
            JsonNode epe = row.get("metrics").elements().next().get("epe");
            assertThat(epe).as("%s reports epe first", row.get("weights").asText()).isNotNull();
            assertThat(epe.decimalValue()).isLessThanOrEqualTo(new BigDecimal("2"));
            assertThat(previous == null || previous.compareTo(epe.decimalValue()) <= 0).as("sorted by epe, lowest first").isTrue();
            previous = epe.decimalValue();
            kept++;
        }
        long expected = oracle.values().stream().filter(e -> e.get("task").asText().equals("optical_flow")).filter(e -> {
            JsonNode epe = e.get("metrics").elements().next().get("epe");
            return epe != null && epe.decimalValue().compareTo(new BigDecimal("2")) <= 0;
        }).count();
        assertThat(kept).isEqualTo(expected).isPositive();
    }

    @Test
    void paretoFlagsEqualABruteForceRecomputationForEveryCostKey() throws IOException {
        int bounded = 0;
        for (String sort : List.of("macs", "params", "size", "acc1")) {
            JsonNode table = catalog("--task", "all", "--sort", sort);
            String cost = table.get("paretoCost").asText();
            assertThat(cost).isEqualTo(sort.equals("acc1") ? "macs" : sort);
            String field = Map.of("macs", "macs", "params", "params", "size", "weightBytes").get(cost);
            List<JsonNode> rows = new ArrayList<>();
            table.get("rows").forEach(rows::add);
            int onFront = 0;
            List<String> flowFront = new ArrayList<>();
            for (JsonNode row : rows) {
                assertSameParetoMetric(row);
                boolean expected = front(row, rows, field);
                if (field.equals("macs") && !row.get("dataDependentMacs").isNull()) {
                    bounded++;
                }
                assertThat(row.get("pareto").asBoolean()).as("%s on the %s front", row.get("weights").asText(), cost).isEqualTo(expected);
                onFront += expected ? 1 : 0;
                if (expected && row.get("task").asText().equals("optical_flow")) {
                    flowFront.add(row.get("weights").asText());
                }
            }
            assertThat(onFront).as("entries on the %s front", cost).isGreaterThan(5);
            // RAFT's errors, lower is better: of the two Raft_Large entries trained alike (same cost), the lower Sintel-train
            // end-point error (C_T_V2, 1.3822 against 1.4411) is on the front and the other is not.
            assertThat(flowFront).as("optical flow entries on the %s front", cost).contains("Raft_Large_Weights.C_T_V2")
                    .doesNotContain("Raft_Large_Weights.C_T_V1");
        }
        assertThat(bounded).as("detection rows compared at their bound").isGreaterThanOrEqualTo(13);
    }

    /**
     * No row of the same task measured on the same benchmark (the first dataset and its first metric, as torchvision lists
     * them) is at least as good and at most as costly, and strictly better in one. Optical flow's metrics are errors (RAFT's
     * end-point error, KITTI's Fl-all): lower is better. A detection row's MACs are its exact part plus its data-dependent
     * bound: the most it can cost.
     */
    private static boolean front(JsonNode row, List<JsonNode> rows, String cost) {
        BigDecimal goodness = goodness(row);
        if (goodness == null || row.get(cost).isNull()) {
            return false;
        }
        long price = price(row, cost);
        for (JsonNode other : rows) {
            BigDecimal a = goodness(other);
            if (other == row || a == null || other.get(cost).isNull() || !benchmark(other).equals(benchmark(row))) {
                continue;
            }
            long c = price(other, cost);
            boolean dominates = a.compareTo(goodness) >= 0 && c <= price
                    && (a.compareTo(goodness) > 0 || c < price);
            if (dominates) {
                return false;
            }
        }
        return true;
    }

    private static long price(JsonNode row, String cost) {
        long value = row.get(cost).asLong();
        return cost.equals("macs") && !row.get("dataDependentMacs").isNull() ? value + row.get("dataDependentMacs").asLong() : value;
    }

    private static boolean lowerIsBetter(JsonNode row) {
        return row.get("task").asText().equals("optical_flow");
    }

    /** Task, first dataset and its first metric: rows are compared only within one. */
    private static List<String> benchmark(JsonNode row) {
        String dataset = row.get("metrics").fieldNames().next();
        return List.of(row.get("task").asText(), dataset, row.get("metrics").get(dataset).fieldNames().next());
    }

    /** The first metric of the first dataset, negated when it is an error, so that more is better; null when unpublished. */
    private static BigDecimal goodness(JsonNode row) {
        if (row.get("yours").asBoolean() || row.get("metrics").isEmpty()) {
            return null;
        }
        JsonNode value = row.get("metrics").elements().next().elements().next();
        if (value.isNull()) {
            return null;
        }
        return lowerIsBetter(row) ? value.decimalValue().negate() : value.decimalValue();
    }

    /** The JSON's paretoMetric names the benchmark this test recomputes the front on, and its direction. */
    private static void assertSameParetoMetric(JsonNode row) {
        String weights = row.get("weights").asText();
        if (goodness(row) == null) {
            assertThat(row.get("paretoMetric").isNull()).as("%s has no published value to compare", weights).isTrue();
            return;
        }
        List<String> benchmark = benchmark(row);
        JsonNode metric = row.get("paretoMetric");
        assertThat(List.of(row.get("task").asText(), metric.get("dataset").asText(), metric.get("metric").asText()))
                .as("benchmark of %s", weights).isEqualTo(benchmark);
        assertThat(metric.get("better").asText()).as("direction of %s", weights).isEqualTo(lowerIsBetter(row) ? "lower" : "higher");
        if (lowerIsBetter(row)) {
            // torchvision's Raft weights define them as errors: end-point error (pixels) and KITTI's Fl-all (percent of outliers).
            assertThat(benchmark.get(2)).as("error metric of %s", weights).isIn("epe", "per_image_epe", "fl_all");
        }
    }

    @Test
    void whereKeepsExactlyTheRowsThatSatisfyIt() throws IOException {
        JsonNode all = catalog();
        JsonNode kept = catalog("--where", "acc1>=80 and macs<=5G", "--sort", "acc1");
        int expected = 0;
        for (JsonNode row : all.get("rows")) {
            JsonNode acc1 = row.get("metrics").path("ImageNet-1K").path("acc@1");
            if (!acc1.isMissingNode() && !acc1.isNull() && acc1.decimalValue().compareTo(new BigDecimal("80")) >= 0
                    && !row.get("macs").isNull() && row.get("macs").asLong() <= 5_000_000_000L) {
                expected++;
            }
        }
        assertThat(kept.get("rows").size()).isEqualTo(expected).isPositive();
        BigDecimal previous = null;
        for (JsonNode row : kept.get("rows")) {
            BigDecimal acc1 = row.get("metrics").get("ImageNet-1K").get("acc@1").decimalValue();
            assertThat(previous == null || previous.compareTo(acc1) >= 0).as("sorted by acc1, best first").isTrue();
            previous = acc1;
        }
    }
}
