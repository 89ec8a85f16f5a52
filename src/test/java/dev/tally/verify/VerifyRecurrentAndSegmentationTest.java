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
 * on a segmentation model (lraspp_mobilenet_v3_large of scripts/export_zoo.py, traced and scripted, the forms made
 * with weights): both engines run them in eval mode, and every cross-check passes, with PyTorch's output shape.
 */
class VerifyRecurrentAndSegmentationTest {
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({"recurrent, lstm_batch_first.onnx", "recurrent, lstm_batch_first.traced.pt",
            "recurrent, lstm_batch_first.scripted.pt", "zoo, lraspp_mobilenet_v3_large.traced.pt",
            "zoo, lraspp_mobilenet_v3_large.scripted.pt"})
    void verifyPassesWithPyTorchsOutputShape(String folder, String file) throws IOException {
        Path dir = Fixtures.dir().resolve(folder);
        String name = file.substring(0, file.indexOf('.'));
        JsonNode expected = new ObjectMapper().readTree(dir.resolve(name + ".expected.json").toFile());
        List<Long> input = new ArrayList<>();
        (expected.has("inputShape") ? expected.get("inputShape") : expected.get("inputs").get(0).get("shape"))
                .forEach(d -> input.add(d.asLong()));
        List<Long> output = new ArrayList<>();
        (expected.has("outputShape") ? expected.get("outputShape") : expected.get("outputShapes").get(0))
                .forEach(d -> output.add(d.asLong()));
        Map<String, Shape> shapes = Map.of(InputShapes.UNNAMED, new Shape(input));
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(dir.resolve(file), shapes), shapes, false);

        VerificationReport report = Engines.verifier().verify(analysis);

        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(report.passed()).isTrue();
        Check shape = report.checks().stream().filter(c -> c.check().startsWith("output ")).findFirst().orElseThrow();
        assertThat(shape.actual()).isEqualTo(new Shape(output).toDisplayString());
    }
}
