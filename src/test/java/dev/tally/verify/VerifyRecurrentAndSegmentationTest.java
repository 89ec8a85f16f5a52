package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * verify on a recurrent net (the bidirectional two-layer LSTM of scripts/export_recurrent.py) in its three forms and
 * on a segmentation model, lraspp_mobilenet_v3_large, in its three forms with weights (traced and scripted of
 * scripts/export_zoo.py, ONNX of scripts/export_verify_detection.py: the zoo's ONNX files are structure-only): ONNX
 * Runtime runs the ONNX files and DJL's PyTorch engine the TorchScript files, in eval mode, and every cross-check passes,
 * with PyTorch's output shape.
 */
class VerifyRecurrentAndSegmentationTest {
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({"recurrent, lstm_batch_first.onnx, export_recurrent.py",
            "recurrent, lstm_batch_first.traced.pt, export_recurrent.py",
            "recurrent, lstm_batch_first.scripted.pt, export_recurrent.py",
            "verify-segmentation, lraspp_mobilenet_v3_large.onnx, export_verify_detection.py",
            "zoo, lraspp_mobilenet_v3_large.traced.pt, export_zoo.py",
            "zoo, lraspp_mobilenet_v3_large.scripted.pt, export_zoo.py"})
    void verifyPassesWithPyTorchsOutputShape(String folder, String file, String script) throws IOException {
        Path path = Fixtures.made(folder, file, script);
        String name = file.substring(0, file.indexOf('.'));
        JsonNode expected = new ObjectMapper().readTree(Fixtures.made(folder, name + ".expected.json", script).toFile());
        List<Long> input = new ArrayList<>();
        (expected.has("inputShape") ? expected.get("inputShape") : expected.get("inputs").get(0).get("shape"))
                .forEach(d -> input.add(d.asLong()));
        List<Long> output = new ArrayList<>();
        (expected.has("outputShape") ? expected.get("outputShape") : expected.get("outputShapes").get(0))
                .forEach(d -> output.add(d.asLong()));
        Map<String, Shape> shapes = Map.of(InputShapes.UNNAMED, new Shape(input));
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(path, shapes), shapes, false);

        VerificationReport report = Engines.verifier().verify(analysis);

        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(report.passed()).isTrue();
        Check shape = report.checks().stream().filter(c -> c.check().startsWith("output ")).findFirst().orElseThrow();
        assertThat(shape.actual()).isEqualTo(new Shape(output).toDisplayString());
    }
}
