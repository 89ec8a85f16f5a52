package dev.tally.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.ir.Shape;
import dev.tally.report.Summary;
import dev.tally.report.TensorSummary;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The zoo's ONNX files that the ONNX rules for quantized ops (QuantizeLinear, DequantizeLinear), GridSample and
 * sequences made exact (and mvit_v2_s, whose file keeps all its shape arithmetic: exported without torch.onnx's
 * constant folding and shape inference), held to PyTorch's figures in {@code zoo/<name>.expected.json} (made by
 * {@code scripts/export_zoo.py}): params, buffers, MACs and every output shape equal, no op left without a rule.
 * ZooFixturesTest records every model's cell; this test fails when one of these stops being exact.
 */
class ZooOnnxFiguresTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"quantized_resnet18", "quantized_mobilenet_v3_large", "quantized_resnet50", "raft_small", "mvit_v1_b",
        "mvit_v2_s"})
    void theOnnxFormEqualsPyTorchsFigures(String model) throws IOException {
        JsonNode expected = expected(model);
        Summary summary = Tally.analyze(onnx(model, expected), Tally.Options.defaults());

        assertThat(summary.unsupported()).as(model + ": ops without a rule").isEmpty();
        assertThat(summary.totals().params()).as(model + ": params").isEqualTo(expected.path("onnx").path("params").asLong());
        assertThat(summary.totals().buffers()).as(model + ": buffers").isEqualTo(expected.path("onnx").path("buffers").asLong());
        assertThat(summary.totals().macs()).as(model + ": MACs (the aten-level counter's)").isEqualTo(expected.get("macs").asLong());
        List<List<Long>> shapes = new ArrayList<>();
        expected.get("outputShapes").forEach(shape -> {
            List<Long> dims = new ArrayList<>();
            shape.forEach(d -> dims.add(d.asLong()));
            shapes.add(dims);
        });
        assertThat(summary.outputs().stream().map(TensorSummary::shape).map(s -> s.map(Shape::dims).orElse(null)).toList())
                .as(model + ": output shapes").isEqualTo(shapes);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ssd300_vgg16"})
    void theScaleOfAnExportedL2NormIsCountedAsAParam(String model) throws IOException {
        // ssd300_vgg16's L2Norm weight (512) is stored as onnx::Mul_3543 of 1 x 512 x 1 x 1, read by the Mul after
        // F.normalize's Div; the model's outputs are data-dependent (boxes), so only its params are compared here.
        JsonNode expected = expected(model);
        Summary summary = Tally.analyze(onnx(model, expected), Tally.Options.defaults());

        assertThat(summary.totals().params()).isEqualTo(expected.path("onnx").path("params").asLong()).isEqualTo(35_641_826L);
    }

    private static JsonNode expected(String model) throws IOException {
        Path json = Fixtures.dir().resolve("zoo").resolve(model + ".expected.json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalStateException(json + " is missing; make it with: /usr/bin/python3 scripts/export_zoo.py --models "
                    + model + " (scripts/test does it for you).");
        }
        return JSON.readTree(json.toFile());
    }

    private static Path onnx(String model, JsonNode expected) {
        JsonNode file = expected.path("files").path("onnx");
        if (!file.isTextual()) {
            throw new IllegalStateException("zoo/" + model + " has no ONNX file: " + expected.path("errors").path("onnx").asText());
        }
        return Fixtures.dir().resolve("zoo").resolve(file.asText());
    }
}
