package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.report.Totals;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The ONNX, traced and scripted files of every fixture give the same activation memory and the same peak, or
 * differ for a reason listed here (and in docs/conventions.md, Part 3).
 */
class CrossFormatMemoryTest {
    /** Model -> why its ONNX file's memory differs from its TorchScript files'. */
    private static final Map<String, String> ONNX_DIFFERS = Map.of(
            "efficientnet_b0", "the ONNX export writes SiLU as Sigmoid + Mul, two new tensors, where PyTorch runs silu_ in place");

    @Test
    void onnxTracedAndScriptedAgreeOnActivationMemoryAndPeak() {
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (String name : Fixtures.models()) {
            Fixtures.Expected expected = Fixtures.expected(name);
            String input = expected.inputShape().stream().map(String::valueOf).collect(Collectors.joining("x"));
            Path traced = expected.file("traced");
            if (traced == null) {
                continue;
            }
            Totals reference = totals(traced, input);
            Path scripted = expected.file("scripted");
            if (scripted != null) {
                compared++;
                compare(name + " scripted", totals(scripted, input), reference, failures);
            }
            Path onnx = expected.file("onnx");
            boolean folded = expected.json().path("onnx").path("bnFolded").asBoolean(false);
            if (onnx == null || ONNX_DIFFERS.containsKey(name)) {
                continue;
            }
            compared++;
            Totals fromOnnx = totals(onnx, input);
            if (folded) {
                // The exporter folded BatchNorm into the convs: the BatchNorm outputs never exist in the file, so
                // its figures can only be lower.
                if (fromOnnx.activationBytes() > reference.activationBytes() || fromOnnx.peakActivationBytes() > reference.peakActivationBytes()) {
                    failures.add(name + " onnx (BatchNorm folded) is above TorchScript: " + fromOnnx + " vs " + reference);
                }
            } else {
                compare(name + " onnx", fromOnnx, reference, failures);
            }
        }
        assertThat(compared).as("forms compared").isGreaterThan(25);
        assertThat(failures).as("memory figures that differ between formats").isEmpty();
    }

    private static void compare(String what, Totals actual, Totals traced, List<String> failures) {
        if (actual.activationBytes() != traced.activationBytes() || actual.peakActivationBytes() != traced.peakActivationBytes()
                || actual.largestActivationBytes() != traced.largestActivationBytes()) {
            failures.add(String.format("%s: activation %,d / peak %,d / largest %,d, traced %,d / %,d / %,d", what,
                    actual.activationBytes(), actual.peakActivationBytes(), actual.largestActivationBytes(),
                    traced.activationBytes(), traced.peakActivationBytes(), traced.largestActivationBytes()));
        }
    }

    private static Totals totals(Path file, String input) {
        return Tally.analyze(file, Tally.Options.defaults().withInput(input)).totals();
    }
}
