package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.ir.ModelException;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4's acceptance test: verify passes on every fixture model (index.json {@code core}: the models of issue 2,
 * exported with their weights; and the coverage models' TorchScript files) in every form made with weights (ONNX,
 * traced, scripted). The coverage models' ONNX files are structure-only
 * (index.json {@code structureOnlyOnnx}): verify must refuse each with its one-sentence reason.
 */
class VerifyEveryFixtureTest {
    private static List<String> index(String key) {
        try {
            JsonNode index = new ObjectMapper().readTree(Fixtures.dir().resolve("index.json").toFile());
            List<String> names = new ArrayList<>();
            index.get(key).forEach(n -> names.add(n.asText()));
            assertThat(names).as("index.json %s", key).isNotEmpty();
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Arguments> coreForms() {
        List<Arguments> cases = new ArrayList<>();
        List<String> models = new ArrayList<>(index("core"));
        models.addAll(index("coverage"));
        for (String model : models) {
            Fixtures.Expected expected = Fixtures.expected(model);
            for (String form : List.of("onnx", "traced", "scripted")) {
                if (form.equals("onnx") && structureOnly().contains(model)) {
                    continue; // no weights to run: refused below
                }
                Path file = expected.file(form);
                if (file != null) {
                    cases.add(Arguments.of(model, form, file));
                }
            }
        }
        return cases;
    }

    static List<String> structureOnly() {
        return index("structureOnlyOnnx");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("coreForms")
    void verifyPassesWithPyTorchsOutputShapeAndParams(String model, String form, Path file) {
        Fixtures.Expected expected = Fixtures.expected(model);
        VerificationReport report = Engines.verifier().verify(Engines.analyze(file, expected, new Analyzer()));

        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(report.passed()).isTrue();
        String output = String.join("x", expected.outputShape().stream().map(String::valueOf).toList());
        assertThat(row(report, "output ").actual()).isEqualTo(output);
        if (!form.equals("onnx")) {
            // DJL's parameter tensors against PyTorch's own sum(p.numel() for p in model.parameters()).
            assertThat(row(report, "params (").actual()).isEqualTo(CrossChecks.count(expected.params()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structureOnly")
    void aStructureOnlyOnnxIsRefusedBeforeAnyEngineStarts(String model) {
        Fixtures.Expected expected = Fixtures.expected(model);
        Analysis analysis = Engines.analyze(expected.file("onnx"), expected, new Analyzer());

        assertThatThrownBy(() -> Engines.verifier().verify(analysis)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith(model + ".onnx is a structure-only model: the weights of '")
                .hasMessageEndingWith("so it cannot run; verify needs the full export (tally summary still counts it).");
    }

    private static Check row(VerificationReport report, String prefix) {
        return report.checks().stream().filter(c -> c.check().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("No check '" + prefix + "...' in " + report.checks()));
    }
}
