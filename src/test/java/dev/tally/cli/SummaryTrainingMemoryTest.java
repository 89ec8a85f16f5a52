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

    /**
     * {@code compare} and batch summaries show the same training figure as {@code summary}, for the optimizer given,
     * in every format: the models PyTorch measured a training step of (lenet5, resnet18; traced, as the oracle test),
     * each within 10% of PyTorch's step and equal to its own summary's {@code trainingBytes}.
     */
    @Test
    void compareAndBatchSummariesShowTheTrainingStepOfTheChosenOptimizer() throws Exception {
        String[] names = {"lenet5", "resnet18"};
        Path[] files = new Path[names.length];
        for (int i = 0; i < names.length; i++) {
            files[i] = Fixtures.expected(names[i]).file("traced");
        }
        String shape = "1x" + String.join("x", Fixtures.expected("lenet5").inputShape().subList(1, 4).stream().map(String::valueOf).toList());
        for (String optimizer : new String[] {"sgd", "adam"}) {
            long[] expected = new long[names.length];
            for (int i = 0; i < names.length; i++) {
                String input = Fixtures.expected(names[i]).inputShape().stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.joining("x"));
                String[] one = run("summary", files[i].toString(), "--input", input, "--format", "json", "--optimizer", optimizer);
                assertThat(one[0]).as(one[2]).isEqualTo("0");
                expected[i] = JSON.readTree(one[1]).get("totals").get("trainingBytes").asLong();
                long pytorch = JSON.readTree(Fixtures.dir().resolve("memory/" + names[i] + ".memory.json").toFile())
                        .get("trainingPeakBytes").get(optimizer).asLong();
                assertThat((double) expected[i]).as(names[i] + " " + optimizer).isBetween(pytorch * 0.9, pytorch * 1.1);
            }
            // compare: each model with its own input (a JSON report per model keeps its input and its training figure).
            Path[] reports = new Path[names.length];
            for (int i = 0; i < names.length; i++) {
                String input = Fixtures.expected(names[i]).inputShape().stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.joining("x"));
                reports[i] = java.nio.file.Files.createTempFile("tally-" + names[i], ".json");
                java.nio.file.Files.writeString(reports[i], run("summary", files[i].toString(), "--input", input, "--format", "json",
                        "--optimizer", optimizer)[1]);
            }
            String[] json = run("compare", reports[0].toString(), reports[1].toString(), "--format", "json");
            assertThat(json[0]).as(json[2]).isEqualTo("0");
            JsonNode compared = JSON.readTree(json[1]);
            assertThat(compared.get("totals").get("trainingBytes").get("values").get(0).asLong()).isEqualTo(expected[0]);
            assertThat(compared.get("totals").get("trainingBytes").get("values").get(1).asLong()).isEqualTo(expected[1]);
            assertThat(compared.get("totals").get("trainingBytes").get("differences").get(1).get("absolute").asLong())
                    .isEqualTo(expected[1] - expected[0]);
            assertThat(compared.get("models").get(1).get("optimizer").asText()).isEqualTo(optimizer);
            assertThat(compared.get("stages").get(0).has("trainingBytes")).as("a whole-model figure, not a stage's").isFalse();
            String csv = run("compare", reports[0].toString(), reports[1].toString(), "--format", "csv")[1];
            assertThat(csv).contains("totals,,trainingBytes," + expected[0] + "," + expected[1] + "," + (expected[1] - expected[0]) + ",");
            String table = run("compare", reports[0].toString(), reports[1].toString())[1];
            assertThat(table).contains("Training memory (B)").contains(String.format("%,d", expected[1]))
                    .contains("one training step at each model's input batch with " + optimizer);
            assertThat(run("compare", reports[0].toString(), reports[1].toString(), "--format", "markdown")[1])
                    .contains("Training memory (B)").contains(String.format("%,d", expected[0]));
            // A model file compared directly takes --optimizer as summary does.
            String[] direct = run("compare", files[0].toString(), files[0].toString(), "--input", shape, "--format", "json",
                    "--optimizer", optimizer);
            assertThat(JSON.readTree(direct[1]).get("totals").get("trainingBytes").get("values").get(0).asLong()).isEqualTo(expected[0]);
            // Batch summary (several files): JSON, CSV and the table.
            String[] batch = run("summary", files[0].toString(), files[0].toString(), "--input", shape, "--format", "json",
                    "--optimizer", optimizer);
            JsonNode row = JSON.readTree(batch[1]).get("models").get(0).get("totals");
            assertThat(row.get("trainingBytes").asLong()).isEqualTo(expected[0]);
            assertThat(row.get("optimizer").asText()).isEqualTo(optimizer);
            String batchCsv = run("summary", files[0].toString(), files[0].toString(), "--input", shape, "--format", "csv",
                    "--optimizer", optimizer)[1];
            assertThat(batchCsv.lines().skip(1).findFirst().orElseThrow()).contains("," + expected[0] + ",true,");
            String batchTable = run("summary", files[0].toString(), files[0].toString(), "--input", shape, "--optimizer", optimizer)[1];
            assertThat(batchTable).contains("Training").contains(dev.tally.report.Units.bytes(expected[0]))
                    .contains("one training step at the input's batch with " + optimizer);
        }
    }

    @Test
    void anUnknownOptimizerIsRefusedInOneSentence() {
        String[] run = run("summary", Fixtures.expected("lenet5").file("onnx").toString(), "--optimizer", "lion");
        assertThat(run[0]).isEqualTo("2");
        assertThat(run[2]).isEqualTo("Unknown optimizer 'lion'. Use one of: sgd, momentum, adam, adamw.\n");
    }
}
