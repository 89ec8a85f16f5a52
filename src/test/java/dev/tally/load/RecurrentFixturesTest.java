package dev.tally.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.ir.Shape;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The recurrent fixture nets of {@code scripts/export_recurrent.py} (LSTM, GRU and RNN stacks of 2 bidirectional
 * layers, batch first and sequence first, with and without initial states; LSTM, GRU and RNN cells), as ONNX,
 * traced and scripted TorchScript: params exactly PyTorch's {@code sum(numel)}, MACs exactly the aten-level
 * counter's (which the export script checks against the written recurrent formula module by module), the output
 * shape PyTorch's, nothing unsupported, and the three forms of one net agreeing.
 */
class RecurrentFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyRecurrentNetMatchesPyTorchInEveryForm() throws IOException {
        Path dir = Fixtures.dir().resolve("recurrent");
        if (!Files.isRegularFile(dir.resolve("index.json"))) {
            throw new IllegalStateException("No recurrent fixtures in " + dir + "; make them with: /usr/bin/python3 scripts/export_recurrent.py (scripts/test does it for you).");
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode name : JSON.readTree(dir.resolve("index.json").toFile()).get("models")) {
            JsonNode expected = JSON.readTree(dir.resolve(name.asText() + ".expected.json").toFile());
            tests.add(DynamicTest.dynamicTest(name.asText(), () -> check(dir, expected)));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(8);
        return tests.stream();
    }

    private static void check(Path dir, JsonNode expected) {
        String input = stream(expected.get("inputShape")).stream().map(String::valueOf).collect(Collectors.joining("x"));
        List<Long> outputShape = stream(expected.get("outputShape"));
        List<Long> macsByForm = new ArrayList<>();
        for (String form : List.of("onnx", "traced", "scripted")) {
            JsonNode file = expected.path("files").path(form);
            assertThat(file.isTextual()).as(form + " file (PyTorch's error: " + expected.path("errors").path(form).asText() + ")").isTrue();
            Summary summary = Tally.analyze(dir.resolve(file.asText()), Tally.Options.defaults().withInput(input));
            String what = expected.get("name").asText() + " " + form;
            assertThat(summary.unsupported()).as(what + " unsupported ops").isEmpty();
            assertThat(summary.totals().params()).as(what + " params").isEqualTo(expected.get("params").asLong());
            assertThat(summary.totals().buffers()).as(what + " buffers").isEqualTo(expected.get("buffers").asLong());
            assertThat(summary.totals().macs()).as(what + " MACs").isEqualTo(expected.get("macs").asLong());
            assertThat(summary.outputs().get(0).shape().map(Shape::dims)).as(what + " output shape").contains(outputShape);
            macsByForm.add(summary.totals().macs());
        }
        assertThat(macsByForm).as("MACs of ONNX, traced, scripted").containsOnly(macsByForm.get(0));
        assertThat(expected.get("recurrentModulesChecked").asInt()).as("recurrent modules checked by the export script").isPositive();
    }

    private static List<Long> stream(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }
}
