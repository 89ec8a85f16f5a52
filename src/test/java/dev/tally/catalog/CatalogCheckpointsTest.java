package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.load.checkpoint.ArchitectureMatch;
import dev.tally.load.checkpoint.ArchitectureMatcher;
import dev.tally.load.checkpoint.Catalog;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tally compare MODEL.pth --catalog} for a checkpoint of every task, not only a classifier: the state_dict that
 * torch.save writes for a torchvision builder (scripts/export_catalog_checkpoints.py, real PyTorch) is placed on its
 * builder and costed at the catalog's input with the catalog oracle's figures (scripts/export_catalog.py); and every
 * builder with a weights entry is known by its keys and shapes, with the builders that share them named together.
 */
class CatalogCheckpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = "export_catalog_checkpoints.py";

    private static JsonNode run(String... args) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return JSON.readTree(out.toString());
    }

    /** The oracle's entries (scripts/export_catalog.py: the real models counted by PyTorch), by weights name. */
    private static Map<String, JsonNode> oracle() throws IOException {
        Map<String, JsonNode> byWeights = new LinkedHashMap<>();
        JSON.readTree(Fixtures.made("catalog", "oracle.json", "export_catalog.py").toFile()).get("entries")
                .forEach(e -> byWeights.put(e.get("weights").asText(), e));
        return byWeights;
    }

    @ParameterizedTest
    @CsvSource({
        "lraspp_mobilenet_v3_large, segmentation, LRASPP_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1",
        "r3d_18, video, R3D_18_Weights.KINETICS400_V1",
        "raft_small, optical_flow, Raft_Small_Weights.C_T_V1",
        "maskrcnn_resnet50_fpn, detection, MaskRCNN_ResNet50_FPN_Weights.COCO_V1",
        // make_catalog.py kept no graph for Swin V2; the weights catalog's is lent to it, and its GELUs are split as in ONNX.
        "swin_v2_t, classification, Swin_V2_T_Weights.IMAGENET1K_V1",
        // Quantized: int8 tensors and a Linear's packed tuple, counted as the float model it quantizes (googlenet's without
        // its auxiliary heads), with torchvision's num_params, and no memory figure, as the catalog's quantized rows.
        "quantized_mobilenet_v2, quantization, MobileNet_V2_QuantizedWeights.IMAGENET1K_QNNPACK_V1",
        "quantized_googlenet, quantization, GoogLeNet_QuantizedWeights.IMAGENET1K_FBGEMM_V1",
    })
    void aCheckpointIsPlacedOnItsBuilderWithTheRealModelsFigures(String builder, String task, String weights) throws IOException {
        String file = builder + ".pth";
        JsonNode table = run("compare", Fixtures.made("catalog-checkpoints", file, SCRIPT).toString(), "--catalog", "--task", task,
                "--format", "json");
        List<JsonNode> yours = rows(table, true);
        assertThat(yours).as("your rows").hasSize(1);
        assertSameCost(yours.get(0), file, oracle().get(weights), row(table, weights));
    }

    /**
     * fasterrcnn_mobilenet_v3_large_fpn and its _320 model build the same state_dict (the transform's sizes and the proposal
     * counts are the builder's, not weights), with two graphs: the checkpoint is placed as each, with each one's figures.
     */
    @Test
    void aCheckpointTwoBuildersShareIsPlacedAsEach() throws IOException {
        String file = "fasterrcnn_mobilenet_v3_large_320_fpn.pth";
        JsonNode table = run("compare", Fixtures.made("catalog-checkpoints", file, SCRIPT).toString(), "--catalog", "--task", "detection",
                "--format", "json");
        List<JsonNode> yours = rows(table, true);
        assertThat(yours).extracting(r -> r.get("weights").asText()).containsExactly(
                file + " as fasterrcnn_mobilenet_v3_large_320_fpn", file + " as fasterrcnn_mobilenet_v3_large_fpn");
        Map<String, JsonNode> oracle = oracle();
        assertSameCost(yours.get(0), yours.get(0).get("weights").asText(), oracle.get("FasterRCNN_MobileNet_V3_Large_320_FPN_Weights.COCO_V1"),
                row(table, "FasterRCNN_MobileNet_V3_Large_320_FPN_Weights.COCO_V1"));
        assertSameCost(yours.get(1), yours.get(1).get("weights").asText(), oracle.get("FasterRCNN_MobileNet_V3_Large_FPN_Weights.COCO_V1"),
                row(table, "FasterRCNN_MobileNet_V3_Large_FPN_Weights.COCO_V1"));

        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "summary",
                Fixtures.made("catalog-checkpoints", file, SCRIPT).toString(), "--format", "json");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Its keys and shapes are also exactly those of the catalog's fasterrcnn_mobilenet_v3_large_fpn")
                .contains("it is counted as fasterrcnn_mobilenet_v3_large_320_fpn");
    }

    /**
     * A fine-tuned quantized model (quantized mobilenet_v2 with a 10-class head) is placed on its quantized row by its keys,
     * its packed Linear reshaped, and counted as the float model it quantizes with the file's head: PyTorch's parameter count
     * of that float model, and the row's MACs less the 990 x 1280 multiply-accumulates of the head's missing outputs.
     */
    @Test
    void aFineTunedQuantizedCheckpointIsCountedWithItsOwnHead() throws IOException {
        String file = "quantized_mobilenet_v2_10classes.pth";
        JsonNode expected = JSON.readTree(Fixtures.made("catalog-checkpoints", "finetuned.json", SCRIPT).toFile()).get(file);
        JsonNode table = run("compare", Fixtures.made("catalog-checkpoints", file, SCRIPT).toString(), "--catalog", "--task", "quantization",
                "--format", "json");
        List<JsonNode> yours = rows(table, true);
        assertThat(yours).hasSize(1);
        JsonNode oracle = oracle().get("MobileNet_V2_QuantizedWeights.IMAGENET1K_QNNPACK_V1");
        assertThat(yours.get(0).get("params").asLong()).isEqualTo(expected.get("numParams").asLong());
        long head = expected.get("head").get(1).asLong();
        assertThat(yours.get(0).get("macs").asLong()).isEqualTo(oracle.get("macs").asLong() - (1000 - expected.get("head").get(0).asLong()) * head);
        assertThat(yours.get(0).get("peakActivationBytes")).as("no memory figure, as the quantized rows").isEqualTo(
                row(table, "MobileNet_V2_QuantizedWeights.IMAGENET1K_QNNPACK_V1").get("peakActivationBytes"));
    }

    /** Your row against PyTorch's count of the real model (the oracle) and the catalog's own row of the same weights. */
    private static void assertSameCost(JsonNode yours, String name, JsonNode expected, JsonNode catalogRow) {
        assertThat(yours.get("params").asLong()).as("params of %s: PyTorch's parameters()", name).isEqualTo(expected.get("numParams").asLong());
        assertThat(yours.get("input")).as("input of %s", name).isEqualTo(expected.get("input"));
        if (expected.has("macsDataIndependent")) {
            // Detection: the part that does not depend on the boxes is exact; the rest is bounded, as the catalog's row is.
            assertThat(yours.get("macs").asLong()).as("exact MACs of %s", name).isEqualTo(expected.get("macsDataIndependent").asLong());
            assertThat(yours.get("macs").asLong() + yours.get("dataDependentMacs").asLong()).as("MACs of %s at the bounds", name)
                    .isGreaterThanOrEqualTo(expected.get("macs").asLong());
        } else {
            assertThat(yours.get("macs").asLong()).as("MACs of %s", name).isEqualTo(expected.get("macs").asLong());
        }
        for (String figure : List.of("macs", "dataDependentMacs", "flops", "peakActivationBytes")) {
            assertThat(yours.get(figure)).as("%s of %s: the catalog row's", figure, name).isEqualTo(catalogRow.get(figure));
        }
    }

    private static List<JsonNode> rows(JsonNode table, boolean yours) {
        List<JsonNode> found = new ArrayList<>();
        table.get("rows").forEach(r -> {
            if (r.get("yours").asBoolean() == yours) {
                found.add(r);
            }
        });
        return found;
    }

    private static JsonNode row(JsonNode table, String weights) {
        return rows(table, false).stream().filter(r -> r.get("weights").asText().equals(weights)).findFirst().orElseThrow();
    }

    /**
     * Every weights entry's state_dict as PyTorch builds it (a quantized one's packed Linear tuple as Tally reads it)
     * matches the catalog exactly, on entries that have a graph; and the builders it matches are exactly the builders whose
     * state_dicts PyTorch made equal to it: one, or the two Faster R-CNN MobileNet builders. A quantized entry's float model
     * (counted in its place) has the oracle's numParams, torchvision's num_params of the quantized weights.
     */
    @Test
    void everyBuilderIsKnownByItsKeysAndShapesAndSharedSignaturesNameEveryBuilder() throws IOException {
        JsonNode signatures = JSON.readTree(Fixtures.made("catalog-checkpoints", "signatures.json", SCRIPT).toFile()).get("entries");
        Map<String, Set<String>> buildersBySignature = new LinkedHashMap<>();
        signatures.forEach(e -> buildersBySignature.computeIfAbsent(e.get("tensors").toString(), k -> new TreeSet<>()).add(e.get("builder").asText()));
        ArchitectureMatcher matcher = new ArchitectureMatcher(Catalog.standard());
        Set<String> shared = new TreeSet<>();
        Map<String, JsonNode> oracle = oracle();
        int checked = 0;
        int quantizedChecked = 0;
        for (JsonNode entry : signatures) {
            Map<String, List<Long>> shapes = new LinkedHashMap<>();
            entry.get("tensors").forEach(t -> {
                List<Long> shape = new ArrayList<>();
                t.get(1).forEach(d -> shape.add(d.asLong()));
                shapes.put(t.get(0).asText(), shape);
            });
            String weights = entry.get("weights").asText();
            ArchitectureMatch match = matcher.match(shapes);
            assertThat(match.kind()).as("%s matches the catalog exactly", weights).isEqualTo(ArchitectureMatch.Kind.EXACT);
            assertThat(match.candidates()).as("%s's candidates have a graph", weights).allSatisfy(c -> assertThat(c.entry().graph()).isNotNull());
            Set<String> builders = match.candidates().stream().map(c -> builderOf(c.entry())).collect(Collectors.toCollection(TreeSet::new));
            assertThat(builders).as("the builders %s matches", weights).isEqualTo(buildersBySignature.get(entry.get("tensors").toString()));
            if (entry.get("task").asText().equals("quantization")) {
                Catalog.Entry quantized = match.candidates().get(0).entry();
                assertThat(quantized.quantized()).as("%s is a quantized entry", weights).isTrue();
                assertThat(Catalog.standard().floatModel(quantized)).as("the float model of %s", weights)
                        .hasValueSatisfying(f -> assertThat(f.params()).isEqualTo(oracle.get(weights).get("numParams").asLong()));
                quantizedChecked++;
            }
            if (builders.size() > 1) {
                shared.add(String.join(" = ", builders));
            }
            checked++;
        }
        // Every one of torchvision 0.14's 162 weights entries, the 14 quantized ones included.
        assertThat(checked).isEqualTo(162);
        assertThat(quantizedChecked).isEqualTo(14);
        assertThat(shared).containsExactly("fasterrcnn_mobilenet_v3_large_320_fpn = fasterrcnn_mobilenet_v3_large_fpn");
    }

    /** {@code torchvision.models.vgg16(weights=None)} is vgg16; {@code torchvision.models.quantization.googlenet(...)}, quantized_googlenet. */
    private static String builderOf(Catalog.Entry entry) {
        String builder = entry.builder();
        String quantization = "torchvision.models.quantization.";
        if (builder.startsWith(quantization)) {
            return "quantized_" + builder.substring(quantization.length(), builder.indexOf('('));
        }
        return builder.startsWith("torchvision.models.") ? builder.substring("torchvision.models.".length(), builder.indexOf('(')) : builder;
    }
}
