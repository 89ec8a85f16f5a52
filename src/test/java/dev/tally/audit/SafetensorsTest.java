package dev.tally.audit;

import dev.tally.load.checkpoint.ArchitectureMatch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * safetensors files (written by scripts/export_safetensors.py from the fixture state_dicts, following the published
 * format by hand) in audit, check, summary and compare: matched to their architecture through the catalog as a
 * {@code .pth} is, with PyTorch's own params, buffers, bytes and MACs ({@code <name>.expected.json}); the
 * malformed ones refused with one sentence and exit 2.
 */
class SafetensorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MODELS = List.of("lenet5", "resnet18", "mobilenet_v2", "squeezenet1_1",
            "densenet121", "efficientnet_b0");

    @TempDir
    Path dir;

    private static Path file(String name) {
        return Fixtures.file("safetensors/" + name + ".safetensors");
    }

    record Cli(int exitCode, String out, String err) {
    }

    private static Cli tally(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(code, out.toString(), err.toString());
    }

    static Stream<String> models() {
        return MODELS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void auditMatchesTheArchitectureWithPyTorchsFigures(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        AuditReport report = new Auditor().audit(file(name), false, true);

        assertThat(report.format()).isEqualTo("safetensors");
        assertThat(report.findings()).isEmpty();
        assertThat(report.match().kind()).isEqualTo(ArchitectureMatch.Kind.EXACT);
        assertThat(report.match().candidates().get(0).entry().name()).isEqualTo(name);
        assertThat(report.inventory().params()).isEqualTo(expected.params());
        assertThat(report.inventory().buffers()).isEqualTo(expected.buffers());
        assertThat(report.inventory().bytes()).isEqualTo(expected.json().get("paramBytes").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void summaryCountsTheMatchedGraphWithPyTorchsParamsAndMacs(String name) throws IOException {
        Fixtures.Expected expected = Fixtures.expected(name);
        Cli result = tally("summary", file(name).toString(), "--format", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode totals = JSON.readTree(result.out()).get("totals");
        assertThat(totals.get("params").asLong()).isEqualTo(expected.params());
        assertThat(totals.get("macs").asLong()).isEqualTo(expected.macs());
    }

    @Test
    void halfPrecisionWeightsCountTheSameParamsInHalfTheBytes() {
        AuditReport report = new Auditor().audit(file("lenet5.f16"), false, true);
        long params = Fixtures.expected("lenet5").params();
        assertThat(report.inventory().params()).isEqualTo(params);
        assertThat(report.inventory().bytes()).isEqualTo(2 * params);
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("float16"));
    }

    @Test
    void checkGatesASafetensorsFileOnItsMatchedArchitecture() throws IOException {
        long params = Fixtures.expected("resnet18").params();
        Path budget = dir.resolve("budget.yaml");
        Files.writeString(budget, "models:\n  - path: " + file("resnet18") + "\n    limits: {params: " + params + "}\n");
        assertThat(tally("check", "--budget", budget.toString()).exitCode()).isZero();
        Files.writeString(budget, "models:\n  - path: " + file("resnet18") + "\n    limits: {params: " + (params - 1) + "}\n");
        assertThat(tally("check", "--budget", budget.toString()).exitCode()).isEqualTo(1);
    }

    @Test
    void compareSetsSafetensorsFilesSideBySide() throws IOException {
        Cli result = tally("compare", file("resnet18").toString(), file("mobilenet_v2").toString(), "--format", "json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains(String.valueOf(Fixtures.expected("mobilenet_v2").params()))
                .contains(String.valueOf(Fixtures.expected("resnet18").params()));
    }

    @Test
    void noWeightByteIsReadWithoutValues() throws IOException {
        // A copy whose weight bytes are all 0xFF (NaN as float32) audits as the original: the bytes are never read.
        Path copy = dir.resolve("lenet5.safetensors");
        byte[] bytes = Files.readAllBytes(file("lenet5"));
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        java.util.Arrays.fill(bytes, (int) (8 + headerLength), bytes.length, (byte) 0xFF);
        Files.write(copy, bytes);
        assertThat(new Auditor().audit(copy, false, true).inventory().params()).isEqualTo(Fixtures.expected("lenet5").params());
        Cli values = tally("audit", copy.toString(), "--values", "--format", "json");
        // With --values the bytes are read, and NaN in a tensor is a finding of its own: exit 5.
        assertThat(values.exitCode()).as(values.err()).isEqualTo(5);
        assertThat(values.out()).contains("\"nan\" : 6");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("overlapping", "overlap"),
                Arguments.of("out_of_file", "outside the"),
                Arguments.of("header_past_end", "reaches past the end"),
                Arguments.of("header_too_large", "exceeds the 100000000-byte limit"),
                Arguments.of("duplicate_keys", "names a key twice"),
                Arguments.of("unknown_dtype", "unknown dtype 'F12'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedFileIsRefusedWithOneSentence(String name, String reason) {
        String path = Fixtures.file("safetensors/malformed/" + name + ".safetensors").toString();
        for (String command : List.of("audit", "summary")) {
            Cli result = tally(command, path);
            assertThat(result.exitCode()).as(command + ": " + result.err()).isEqualTo(2);
            assertThat(result.err()).contains(reason).contains(name + ".safetensors");
            assertThat(result.err().strip().lines()).hasSize(1);
            assertThat(result.err().strip()).endsWith(".");
        }
    }
}
