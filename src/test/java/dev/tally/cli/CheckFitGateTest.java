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
    void trainingModeIsRefusedInOneSentence() {
        Run run = run("check", MODEL.toString(), "--fit-batch", "256", "--memory", "16GiB", "--mode", "training");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("--mode training is not available: Tally does not model training memory yet, so only"
                + " inference (the default) can be gated.\n");
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
        assertThat(refused(head + "    fit-batch: 8\n    memory: 12GiB\n    fit-mode: training\n"))
                .startsWith("budgets.yaml line 5, key 'models[0].fit-mode': fit-mode training is not available");
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
