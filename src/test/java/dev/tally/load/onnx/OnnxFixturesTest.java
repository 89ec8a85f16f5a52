package dev.tally.load.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.testing.Fixtures;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX files real PyTorch exported, against PyTorch's own figures in {@code <name>.expected.json}.
 * Run with {@code -Dtally.fixtures=/work/fixture-cache} (or after {@code scripts/test} made {@code models/cache}).
 */
class OnnxFixturesTest {
    static List<String> models() {
        return Fixtures.models();
    }

    private static long sum(Graph graph, Role role) {
        return graph.params().values().stream().filter(p -> p.role() == role).mapToLong(Param::numel).sum();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyInitializerElementIsCountedOnce(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        Graph graph = new OnnxLoader().load(expected.file("onnx")).graph();

        // Names restored from torch.onnx's merging of equal initializers share their source: count each source once.
        Map<String, Long> bySource = new HashMap<>();
        for (Param param : graph.params().values()) {
            bySource.put(param.sourceName(), param.numel());
        }
        assertThat(bySource.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(expected.json().path("onnx").path("initializerElements").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void paramsAndBuffersEqualPyTorchsOrDifferByExactlyTheFoldedBatchNorms(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        JsonNode onnx = expected.json().path("onnx");
        Model model = new OnnxLoader().load(expected.file("onnx"));
        Graph graph = model.graph();

        Set<String> batchNormLayers = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (node.opType().equals("BatchNormalization")) {
                batchNormLayers.add(node.layer());
            }
        }
        assertThat(batchNormLayers).hasSize(onnx.path("batchNormNodes").asInt());
        // A BatchNorm2d(C) has 2C params and 2C buffers (plus num_batches_tracked, which ONNX drops). Folded into
        // the conv that runs just before it, it leaves one C-element conv bias in place of its 2C params and of
        // the conv's own bias if it had one (vgg16_bn's convs do, resnet's do not); its buffers are gone.
        Map<String, Long> convWeights = new HashMap<>();
        for (Node node : graph.nodes()) {
            if (node.opType().equals("Conv")) {
                convWeights.put(node.layer(), graph.params().get(node.inputs().get(1)).numel());
            }
        }
        long foldedAway = 0;
        long keptBuffers = 0;
        JsonNode previous = null;
        for (JsonNode module : expected.json().path("modules")) {
            if (module.path("type").asText().startsWith("BatchNorm")) {
                long twoC = module.path("params").asLong();
                if (batchNormLayers.contains(module.path("name").asText())) {
                    keptBuffers += twoC;
                } else {
                    assertThat(previous.path("type").asText()).as("module before " + module.path("name")).startsWith("Conv");
                    long convBias = previous.path("params").asLong() - convWeights.get(previous.path("name").asText());
                    foldedAway += twoC / 2 + convBias;
                }
            }
            previous = module;
        }
        assertThat(onnx.path("bnFolded").asBoolean()).isEqualTo(foldedAway > 0);
        // Tensors the exporter computed from a module's own parameters (swin_t's relative position bias from its
        // table) replace those parameters: the layers reading them lose their direct params.
        Set<String> precomputedIn = new HashSet<>();
        for (Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                Param param = graph.params().get(input);
                if (param != null && param.role() == Role.CONSTANT && param.dtype().isFloatingPoint() && param.numel() > 16) {
                    precomputedIn.add(node.layer());
                }
            }
        }
        // What such a layer has in PyTorch beyond the params its nodes still read is what the exporter folded away.
        long precomputedAway = 0;
        for (String layer : precomputedIn) {
            Set<String> read = new HashSet<>();
            long stillRead = 0;
            for (Node node : graph.nodes()) {
                if (node.layer().equals(layer)) {
                    for (String input : node.inputs()) {
                        Param param = graph.params().get(input);
                        if (param != null && param.role() == Role.PARAM && read.add(input)) {
                            stillRead += param.numel();
                        }
                    }
                }
            }
            precomputedAway += moduleParams(expected.json().path("modules"), layer) - stillRead;
        }
        assertThat(sum(graph, Role.PARAM)).isEqualTo(expected.params() - foldedAway - precomputedAway);
        assertThat(sum(graph, Role.BUFFER)).isEqualTo(keptBuffers);
        long buffers = expected.buffers() - expected.json().path("numBatchesTracked").asLong();
        if (foldedAway == 0 && precomputedAway == 0) {
            assertThat(sum(graph, Role.BUFFER)).isEqualTo(buffers);
        } else {
            assertThat(sum(graph, Role.BUFFER)).isLessThanOrEqualTo(buffers);
        }
        assertThat(model.notes().stream().anyMatch(note -> note.startsWith("BatchNorm folded into "))).isEqualTo(foldedAway > 0);
        assertThat(model.notes().stream().anyMatch(note -> note.startsWith("The exporter computed "))).isEqualTo(precomputedAway > 0);
    }

    private static long moduleParams(JsonNode modules, String name) {
        for (JsonNode module : modules) {
            if (module.path("name").asText().equals(name)) {
                return module.path("params").asLong();
            }
        }
        throw new AssertionError("module " + name + " is not in expected.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void convAndGemmNodesBelongToPyTorchModules(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        Model model = new OnnxLoader().load(expected.file("onnx"));

        Set<String> modules = new HashSet<>();
        expected.json().path("modules").forEach(m -> modules.add(m.path("name").asText()));
        assertThat(model.graph().nodes()).filteredOn(n -> n.opType().equals("Conv") || n.opType().equals("Gemm"))
                .isNotEmpty()
                .allSatisfy(node -> assertThat(modules).contains(node.layer()));
        assertThat(model.producer()).startsWith("pytorch ");
        JsonNode onnx = expected.json().path("onnx");
        assertThat(model.notes()).anyMatch(note -> note.startsWith("ONNX opset " + onnx.path("opset").asInt() + ", IR version "));
        String absent = "Weights are stored outside the file (" + onnx.path("externalData").asText()
                + ") and are absent: structure only.";
        if (onnx.path("structureOnly").asBoolean()) {
            assertThat(model.notes()).contains(absent);
        } else {
            assertThat(model.notes()).noneMatch(note -> note.startsWith("Weights are stored outside"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void ourOnnxProtoReadsAndWritesTheExportByteForByte(String name) throws Exception {
        java.nio.file.Path path = Fixtures.expected(name).file("onnx");
        // Only the small exports: this test reads every weight byte, which the loader itself never does.
        if (java.nio.file.Files.size(path) < (64 << 20)) {
            byte[] bytes = java.nio.file.Files.readAllBytes(path);
            dev.tally.load.onnx.proto.Onnx.ModelProto proto = dev.tally.load.onnx.proto.Onnx.ModelProto.parseFrom(bytes);

            assertThat(proto.getUnknownFields().asMap()).isEmpty();
            assertThat(proto.toByteArray()).isEqualTo(bytes);
        } else {
            assertThat(new OnnxLoader().load(path).graph().nodes()).isNotEmpty();
        }
    }
}
