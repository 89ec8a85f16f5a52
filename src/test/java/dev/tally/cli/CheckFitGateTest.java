package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally check --fit-batch N --memory SIZE [--by peak|largest]} and the budget-file keys {@code fit-batch},
 * {@code memory}, {@code fit-by}. The oracle is the assignment's bottleneck network (docs/bottleneck-network.md): its
 * largest activation is B x 64 x 256 x 256 float32 = B x 16,777,216 B, so 12 GiB = 12 x 2^30 B holds exactly B = 768.
 */
class CheckFitGateTest {
    private static final Path MODEL = Fixtures.root().resolve("models/bottleneck.onnx");
    /** Bytes of the largest activation per sample, from the assignment's layer sizes: 64 x 256 x 256 x 4 B. */
    private static final long LARGEST_PER_SAMPLE = 64L * 256 * 256 * 4;
    private static final long GIB_12 = 12L << 30;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String exact(long value) {
        return String.format(java.util.Locale.ROOT, "%,d", value);
    }

    @Test
    void batch768FitsIn12GiBByLargestAnd769DoesNot() throws IOException {
        assertThat(768 * LARGEST_PER_SAMPLE).isEqualTo(GIB_12);
        Run fits = run("check", MODEL.toString(), "--fit-batch", "768", "--memory", "12GiB", "--by", "largest");
        assertThat(fits.err()).isEmpty();
        assertThat(fits.code()).isZero();
        assertThat(fits.out()).containsPattern("fit-memory <= 12GiB at batch 768 by largest +" + exact(GIB_12) + " +" + exact(GIB_12) + " +ok\n");

        Path junit = dir.resolve("check.xml");
        Run over = run("check", MODEL.toString(), "--fit-batch", "769", "--memory", "12GiB", "--by", "largest",
                "--junit", junit.toString());
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.out()).contains("fit-memory at batch 769 by largest " + exact(769 * LARGEST_PER_SAMPLE)
                + " B (12.1 GiB) is over the limit 12GiB (" + exact(GIB_12) + " B) by " + exact(LARGEST_PER_SAMPLE) + " B (0.13%).");
        String xml = Files.readString(junit);
        assertThat(xml).contains("fit-memory &lt;= 12GiB at batch 769 by largest").contains("<failure");
    }

    @Test
    void byPeakIsTheDefaultAndMeansWhatTallyFitMeans() {
        Run fit = run("fit", MODEL.toString(), "--memory", "2GiB");
        assertThat(fit.code()).isZero();
        Matcher answer = Pattern.compile("Largest batch that fits: (\\d+)").matcher(fit.out());
        assertThat(answer.find()).isTrue();
        long batch = Long.parseLong(answer.group(1));
        assertThat(run("check", MODEL.toString(), "--fit-batch", Long.toString(batch), "--memory", "2GiB").code()).isZero();
        Run over = run("check", MODEL.toString(), "--fit-batch", Long.toString(batch + 1), "--memory", "2GiB", "--by", "peak");
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.out()).contains("fit-memory at batch " + (batch + 1) + " by peak ");
    }

    @Test
    void trainingModeGatesOneTrainingStepAgainstPyTorchsMeasuredStep() throws IOException {
        // PyTorch's own peak over a training step of LeNet-5 at batch 1 (scripts/export_memory_oracle.py), per optimizer:
        // a memory 10% above it must hold Tally's training figure, one 10% below must not.
        Path lenet = Fixtures.expected("lenet5").file("onnx");
        com.fasterxml.jackson.databind.JsonNode peaks = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Fixtures.dir().resolve("memory/lenet5.memory.json").toFile()).get("trainingPeakBytes");
        for (String optimizer : java.util.List.of("adam", "sgd")) {
            long pytorch = peaks.get(optimizer).asLong();
            Run fits = run("check", lenet.toString(), "--fit-batch", "1", "--memory", Long.toString(pytorch * 11 / 10),
                    "--mode", "training", "--optimizer", optimizer);
            assertThat(fits.code()).as(fits.out() + fits.err()).isZero();
            assertThat(fits.out()).contains("fit-memory <= " + (pytorch * 11 / 10) + " at batch 1 by training (" + optimizer + ")");
            Run over = run("check", lenet.toString(), "--fit-batch", "1", "--memory", Long.toString(pytorch * 9 / 10),
                    "--mode", "training", "--optimizer", optimizer);
            assertThat(over.code()).as(over.out() + over.err()).isEqualTo(1);
            assertThat(over.out()).contains("lenet5.onnx: fit-memory at batch 1 by training (" + optimizer + ") ");
        }
        // Adam keeps two tensors per parameter that SGD does not: the default optimizer is Adam.
        long adam = peaks.get("adam").asLong();
        assertThat(run("check", lenet.toString(), "--fit-batch", "1", "--memory", Long.toString(adam * 9 / 10), "--mode", "training")
                .code()).isEqualTo(1);
        // The same gate from a budget file.
        Files.copy(lenet, dir.resolve("lenet5.onnx"));
        Path yaml = Files.writeString(dir.resolve("budgets.yaml"), "defaults:\n  fit-mode: training\n  optimizer: sgd\nmodels:\n"
                + "  - path: lenet5.onnx\n    fit-batch: 1\n    memory: " + peaks.get("sgd").asLong() * 11 / 10 + "\n");
        Run budget = run("check", "--budget", yaml.toString());
        assertThat(budget.code()).as(budget.out() + budget.err()).isZero();
        assertThat(budget.out()).contains("by training (sgd)");
    }

    @Test
    void badModeAndOptimizerOptionsAreRefusedInOneSentence() {
        assertThat(run("check", MODEL.toString(), "--fit-batch", "8", "--memory", "16GiB", "--mode", "training", "--by", "peak").err())
                .isEqualTo("--by peak applies to inference only: training memory is one figure, so drop --by or use --mode inference.\n");
        assertThat(run("check", MODEL.toString(), "--fit-batch", "8", "--memory", "16GiB", "--mode", "learning").err())
                .isEqualTo("Unknown --mode 'learning'. Use one of: inference, training.\n");
        assertThat(run("check", MODEL.toString(), "--fit-batch", "8", "--memory", "16GiB", "--optimizer", "adam").err())
                .isEqualTo("--optimizer adam applies to training memory; add --mode training.\n");
        assertThat(run("check", MODEL.toString(), "--fit-batch", "8", "--memory", "16GiB", "--mode", "training", "--optimizer", "lion").err())
                .isEqualTo("Unknown optimizer 'lion'. Use one of: sgd, momentum, adam, adamw.\n");
        assertThat(run("fit", MODEL.toString(), "--memory", "16GiB", "--mode", "training", "--by", "largest").code()).isEqualTo(2);
        // fit reads the same options with the same code (MemoryOptions): the same sentences.
        assertThat(run("fit", MODEL.toString(), "--memory", "16GiB", "--mode", "learning").err())
                .isEqualTo("Unknown --mode 'learning'. Use one of: inference, training.\n");
        assertThat(run("fit", MODEL.toString(), "--memory", "16GiB", "--optimizer", "adam").err())
                .isEqualTo("--optimizer adam applies to training memory; add --mode training.\n");
        assertThat(run("fit", MODEL.toString(), "--memory", "16GiB", "--mode", "training", "--optimizer", "lion").err())
                .isEqualTo("Unknown optimizer 'lion'. Use one of: sgd, momentum, adam, adamw.\n");
        assertThat(run("fit", MODEL.toString()).err())
                .isEqualTo("tally fit needs --memory, the memory the batch must fit in: e.g. --memory 12GiB.\n");
        assertThat(run("check", MODEL.toString(), "--fit-batch", "256").code()).isEqualTo(2);
        assertThat(run("check", MODEL.toString(), "--fit-batch", "0", "--memory", "1GiB").code()).isEqualTo(2);
    }

    @Test
    void aBudgetFileTakesTheSameGateAsKeys() throws IOException {
        Files.copy(MODEL, dir.resolve("bottleneck.onnx"));
        Path yaml = Files.writeString(dir.resolve("budgets.yaml"),
                "defaults:\n  memory: 12GiB\n  fit-by: largest\nmodels:\n  - path: bottleneck.onnx\n    fit-batch: 768\n"
                        + "  - path: bottleneck.onnx\n    fit-batch: 769\n");
        Run run = run("check", "--budget", yaml.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).containsPattern("bottleneck.onnx +fit-memory <= 12GiB at batch 768 by largest +" + exact(GIB_12) + " +" + exact(GIB_12) + " +ok\n")
                .contains("bottleneck.onnx: fit-memory at batch 769 by largest " + exact(769 * LARGEST_PER_SAMPLE) + " B (12.1 GiB) is over");

        Path json = Files.writeString(dir.resolve("budgets.json"),
                "{\"models\": [{\"path\": \"bottleneck.onnx\", \"fit-batch\": 768, \"memory\": \"12GiB\", \"fit-by\": \"largest\","
                        + " \"fit-mode\": \"inference\"}]}");
        assertThat(run("check", "--budget", json.toString()).code()).isZero();
    }

    @Test
    void badGateValuesInABudgetFileNameTheLineAndKey() throws IOException {
        Files.copy(MODEL, dir.resolve("bottleneck.onnx"));
        String head = "models:\n  - path: bottleneck.onnx\n";
        assertThat(refused(head + "    fit-batch: -3\n    memory: 12GiB\n"))
                .isEqualTo("budgets.yaml line 3, key 'models[0].fit-batch': '-3' is not a batch size; give a whole number of at least 1.\n");
        assertThat(refused(head + "    fit-batch: 8\n    memory: 12 apples\n"))
                .startsWith("budgets.yaml line 4, key 'models[0].memory': '12 apples'");
        assertThat(refused(head + "    fit-batch: 8\n    memory: 12GiB\n    fit-by: median\n"))
                .isEqualTo("budgets.yaml line 5, key 'models[0].fit-by': 'median' is not a figure to fit by; use peak or largest.\n");
        assertThat(refused(head + "    fit-batch: 8\n"))
                .isEqualTo("budgets.yaml line 3, key 'models[0].fit-batch': needs both 'fit-batch' and 'memory' here or in 'defaults',"
                        + " e.g. fit-batch: 256, memory: 16GiB.\n");
        assertThat(refused(head + "    fit-batch: 8\n    memory: 12GiB\n    fit-mode: training\n    fit-by: peak\n"))
                .isEqualTo("budgets.yaml line 5, key 'models[0].fit-mode': fit-by peak applies to inference only: training memory is"
                        + " one figure, so drop fit-by or use fit-mode inference.\n");
        assertThat(refused(head + "    fit-batch: 8\n    memory: 12GiB\n    fit-mode: training\n    optimizer: lion\n"))
                .isEqualTo("budgets.yaml line 6, key 'models[0].optimizer': unknown optimizer 'lion'. Use one of: sgd, momentum, adam, adamw.\n");
        assertThat(refused(head + "    fitBatch: 8\n"))
                .startsWith("budgets.yaml line 3, key 'models[0].fitBatch': is not a key here");
    }

    private String refused(String yaml) throws IOException {
        Path budget = Files.writeString(dir.resolve("budgets.yaml"), yaml);
        Run run = run("check", "--budget", budget.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        return run.err();
    }
}
