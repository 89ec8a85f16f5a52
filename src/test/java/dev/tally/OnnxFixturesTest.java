package dev.tally;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ir.Shape;
import dev.tally.report.LayerSummary;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture model exported to ONNX by real PyTorch, analysed by Tally and compared with PyTorch's own figures
 * (expected.json: parameters, forward-hook output shapes, conv/linear MACs from hooks).
 */
class OnnxFixturesTest {
    /** Modules whose output the ONNX graph keeps under the module's own name, so their shapes must match. */
    private static final Set<String> LAYER_TYPES = Set.of("Conv2d", "Linear", "MaxPool2d", "AvgPool2d",
            "AdaptiveAvgPool2d", "ReLU", "ReLU6", "Tanh", "Hardswish", "Flatten");

    /** Models whose ONNX export holds other tensors than PyTorch's parameters, and why. */
    private static final Map<String, String> EXPORTER_CHANGES_PARAMS = Map.of("swin_t",
            "torch.onnx constant-folds each block's relative_position_bias_table[relative_position_index] into a "
                    + "[heads, 49, 49] constant, so the tables (parameters in PyTorch) are replaced by their gathered form");

    static Stream<String> models() {
        return Fixtures.models().stream();
    }

    @ParameterizedTest
    @MethodSource("models")
    void theOnnxSummaryAgreesWithPyTorch(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        JsonNode onnx = expected.json().get("onnx");
        Summary summary = Tally.analyze(expected.file("onnx")).check();

        assertThat(summary.unsupported()).as("ops without a rule").isEmpty();
        assertThat(summary.unresolvedNodes()).isZero();
        assertThat(summary.outputs()).hasSize(1);
        assertThat(summary.outputs().get(0).shape()).contains(shape(expected.outputShape()));
        assertThat(summary.totals().macs()).as("MACs, PyTorch hooks").isEqualTo(expected.macs());
        assertThat(summary.totals().flops()).isEqualTo(2 * expected.macs());
        if (onnx.get("bnFolded").asBoolean()) {
            // The exporter folded BatchNorm into the Conv weights; OnnxFixturesTest in load.onnx checks the params
            // equal PyTorch's less exactly the folded BatchNorm parameters. Here: the report must say so.
            assertThat(summary.notes()).anyMatch(note -> note.startsWith("BatchNorm folded into "));
            assertThat(summary.totals().params()).isLessThan(expected.params());
        } else if (EXPORTER_CHANGES_PARAMS.containsKey(name)) {
            // The exporter replaced parameters by tensors it computed from them; the loader counts those as
            // constants and says so (load.onnx.OnnxFixturesTest checks the gap to the element).
            assertThat(summary.notes()).as(EXPORTER_CHANGES_PARAMS.get(name))
                    .anyMatch(note -> note.startsWith("The exporter computed "));
            assertThat(summary.totals().params()).isLessThan(expected.params());
        } else {
            assertThat(summary.totals().params()).as("params").isEqualTo(expected.params());
            assertThat(summary.totals().buffers()).as("buffers (ONNX drops num_batches_tracked)")
                    .isEqualTo(expected.buffers() - expected.json().get("numBatchesTracked").asLong());
        }

        Map<String, LayerSummary> layers = new HashMap<>();
        summary.layers().forEach(layer -> layers.put(layer.name(), layer));
        int checked = 0;
        for (JsonNode module : expected.json().get("modules")) {
            String type = module.get("type").asText();
            if (!LAYER_TYPES.contains(type) || module.get("outputShape").isNull()) {
                continue;
            }
            LayerSummary layer = layers.get(module.get("name").asText());
            if (layer == null) {
                // Inplace activations that are called from several places (ResNet's relu) may be named by their block.
                assertThat(type).as("module %s has no layer row", module.get("name").asText()).isIn("ReLU", "ReLU6", "Flatten");
                continue;
            }
            assertThat(layer.outputShape()).as("output of %s", layer.name())
                    .contains(shape(Fixtures.Expected.longs(module.get("outputShape"))));
            if (type.equals("Conv2d") || type.equals("Linear")) {
                assertThat(layer.macs()).as("MACs of %s", layer.name()).isEqualTo(module.get("macs").asLong());
            }
            checked++;
        }
        assertThat(checked).as("layers compared with forward hooks").isPositive();
    }

    private static Shape shape(List<Long> dims) {
        return new Shape(dims);
    }
}
