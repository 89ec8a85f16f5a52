package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code tally summary --optimizer}: the JSON totals carry {@code trainingBytes} and its parts at the input's batch,
 * for the optimizer chosen, within 10% of PyTorch's measured training step (scripts/export_memory_oracle.py).
 */
class SummaryTrainingMemoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void theJsonTotalsCarryTheTrainingStepOfTheChosenOptimizer() throws Exception {
        Path lenet = Fixtures.expected("lenet5").file("onnx");
        JsonNode peaks = JSON.readTree(Fixtures.dir().resolve("memory/lenet5.memory.json").toFile()).get("trainingPeakBytes");
        for (String optimizer : new String[] {"sgd", "adam"}) {
            String[] run = run("summary", lenet.toString(), "--format", "json", "--optimizer", optimizer);
            assertThat(run[0]).as(run[2]).isEqualTo("0");
            JsonNode totals = JSON.readTree(run[1]).get("totals");
            assertThat(totals.get("training").get("optimizer").asText()).isEqualTo(optimizer);
            long pytorch = peaks.get(optimizer).asLong();
            assertThat((double) totals.get("trainingBytes").asLong()).isBetween(pytorch * 0.9, pytorch * 1.1);
        }
        // SGD keeps no state; Adam two tensors the size of the trainable params, plus a 4-byte counter per tensor.
        JsonNode sgd = JSON.readTree(run("summary", lenet.toString(), "--format", "json", "--optimizer", "sgd")[1]).get("totals");
        JsonNode adam = JSON.readTree(run("summary", lenet.toString(), "--format", "json")[1]).get("totals");
        assertThat(sgd.get("training").get("optimizerState").asLong()).isZero();
        assertThat(adam.get("training").get("optimizerState").asLong()).isEqualTo(2 * 61_706L * 4 + 10 * 4);
    }

    @Test
    void anUnknownOptimizerIsRefusedInOneSentence() {
        String[] run = run("summary", Fixtures.expected("lenet5").file("onnx").toString(), "--optimizer", "lion");
        assertThat(run[0]).isEqualTo("2");
        assertThat(run[2]).isEqualTo("Unknown optimizer 'lion'. Use one of: sgd, momentum, adam, adamw.\n");
    }
}
