package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationRendererTest {
    private static final VerificationReport REPORT = new VerificationReport("models/alexnet.onnx", "onnx", "ONNX Runtime 1.20.0",
            List.of(new VerificationReport.Input("input.1", "float32", Shape.of(1, 3, 224, 224), 7)),
            List.of(new Check("output '36' shape (ONNX Runtime)", "1x1000", "1x1000", true),
                    new Check("params (elements in the stored bytes of 16 tensors)", "61,100,776", "61,100,840", false)),
            List.of(new VerificationReport.Timing("inference", 49.26)), 1_500_000_000L, List.of("A note."));

    @Test
    void aReportPassesOnlyWhenItHasChecksAndAllPass() {
        assertThat(REPORT.passed()).isFalse();
        assertThat(REPORT.failures()).hasSize(1);
        assertThat(new VerificationReport("m.onnx", "onnx", "e", List.of(), List.of(), List.of(), -1, List.of()).passed()).isFalse();
    }

    @Test
    void theTableShowsEveryCheckWithItsResultAndAVerdict() {
        String table = VerificationRenderer.table(REPORT);
        assertThat(table).contains("input input.1: float32 1x3x224x224, random, seed 7")
                .containsPattern("output '36' shape \\(ONNX Runtime\\) +1x1000 +1x1000 +pass")
                .containsPattern("params \\(elements in the stored bytes of 16 tensors\\) +61,100,776 +61,100,840 +FAIL")
                .contains("time: inference 49.3 ms")
                .contains("peak memory (RSS): 1.4 GiB")
                .contains("note: A note.")
                .endsWith("FAIL: 1 of 2 checks disagree with the static analysis." + System.lineSeparator());
    }

    @Test
    void theJsonKeepsTheContractNames() throws Exception {
        JsonNode json = new ObjectMapper().readTree(VerificationRenderer.json(REPORT));
        assertThat(json.at("/model/path").asText()).isEqualTo("models/alexnet.onnx");
        assertThat(json.at("/model/format").asText()).isEqualTo("onnx");
        assertThat(json.at("/passed").asBoolean()).isFalse();
        assertThat(json.at("/inputs/0/shape").toString()).isEqualTo("[1,3,224,224]");
        assertThat(json.at("/checks/1/expected").asText()).isEqualTo("61,100,776");
        assertThat(json.at("/checks/1/pass").asBoolean()).isFalse();
        assertThat(json.at("/timings/0/millis").asDouble()).isEqualTo(49.3);
        assertThat(json.at("/peakRssBytes").asLong()).isEqualTo(1_500_000_000L);
    }
}
