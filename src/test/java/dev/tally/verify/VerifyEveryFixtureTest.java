package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analyzer;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4's acceptance test: verify passes on every fixture model in every form PyTorch made (ONNX, traced,
 * scripted). A form is absent only when expected.json says PyTorch could not make it (e.g. scriptError).
 */
class VerifyEveryFixtureTest {
    static List<Arguments> fixtures() {
        List<Arguments> cases = new ArrayList<>();
        for (String model : Fixtures.models()) {
            Fixtures.Expected expected = Fixtures.expected(model);
            for (String form : List.of("onnx", "traced", "scripted")) {
                Path file = expected.file(form);
                if (file != null) {
                    cases.add(Arguments.of(model, form, file));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixtures")
    void verifyPasses(String model, String form, Path file) {
        VerificationReport report = Engines.verifier().verify(Engines.analyze(file, Fixtures.expected(model), new Analyzer()));

        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(report.passed()).isTrue();
        String output = String.join("x", Fixtures.expected(model).outputShape().stream().map(String::valueOf).toList());
        assertThat(report.checks().stream().filter(c -> c.check().startsWith("output ")).findFirst().orElseThrow().actual())
                .isEqualTo(output);
        if (!form.equals("onnx")) {
            // DJL's parameter tensors against PyTorch's own sum(p.numel() for p in model.parameters()).
            assertThat(report.checks().stream().filter(c -> c.check().startsWith("params (")).findFirst().orElseThrow().actual())
                    .isEqualTo(CrossChecks.count(Fixtures.expected(model).params()));
        }
    }
}
