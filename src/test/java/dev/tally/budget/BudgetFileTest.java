package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.UsageException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetFileTest {
    @TempDir
    Path dir;

    @BeforeEach
    void models() throws IOException {
        Files.createDirectories(dir.resolve("exports/resnet"));
        for (String name : List.of("exports/alexnet.onnx", "exports/vgg16.onnx", "exports/resnet/resnet18.onnx",
                "exports/resnet/resnet50.onnx", "exports/notes.txt")) {
            Files.writeString(dir.resolve(name), "x");
        }
        Files.writeString(dir.resolve("alexnet.json"), "{\"totals\": {\"params\": 61100840, \"buffers\": 0, \"paramBytes\": 244403360,"
                + " \"macs\": 714188480, \"flops\": 1428376960, \"ops\": 715000000, \"activationBytes\": 4000000}}");
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aYamlFileListsModelsWithLimitsInputsAndDefaults() throws IOException {
        Path file = write("budgets.yaml", """
                # CI budgets
                defaults:
                  input: 1x3x224x224
                  limits:
                    activation: 60MB
                models:
                  - path: exports/alexnet.onnx
                    limits:
                      params: 62M
                      macs: 0.8G
                      activation: 1.5GiB
                  - path: exports/vgg16.onnx
                    input: [input=2x3x224x224]
                    limits: {params: 140M}
                """);
        List<ModelBudget> budgets = BudgetFile.read(file);
        assertThat(budgets).extracting(ModelBudget::label).containsExactly("exports/alexnet.onnx", "exports/vgg16.onnx");
        ModelBudget alexnet = budgets.get(0);
        assertThat(alexnet.file()).isEqualTo(dir.resolve("exports/alexnet.onnx").toAbsolutePath());
        assertThat(alexnet.inputs()).containsExactly("1x3x224x224");
        // The model's own activation limit overrides the default one.
        assertThat(alexnet.limits()).extracting(Limit::figure, Limit::max).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Figure.PARAMS, 62_000_000L),
                org.assertj.core.groups.Tuple.tuple(Figure.MACS, 800_000_000L),
                org.assertj.core.groups.Tuple.tuple(Figure.ACTIVATION, 1_610_612_736L));
        ModelBudget vgg = budgets.get(1);
        assertThat(vgg.inputs()).containsExactly("input=2x3x224x224");
        assertThat(vgg.limits()).extracting(Limit::figure, Limit::max).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Figure.PARAMS, 140_000_000L),
                org.assertj.core.groups.Tuple.tuple(Figure.ACTIVATION, 60_000_000L));
    }

    @Test
    void aJsonFileIsReadTooAndTellsJsonFromYamlByContent() throws IOException {
        Path file = write("budgets.conf", "{\"models\": [{\"path\": \"exports/alexnet.onnx\", \"limits\": {\"macs\": 800000000}}]}");
        List<ModelBudget> budgets = BudgetFile.read(file);
        assertThat(budgets.get(0).limits().get(0).max()).isEqualTo(800_000_000L);
    }

    @Test
    void aGlobGivesEveryMatchingFileSortedWithPathsRelativeToTheBudgetFile() throws IOException {
        Path file = write("budgets.yaml", """
                models:
                  - path: exports/*.onnx
                    limits: {params: 200M}
                  - path: exports/**/resnet*.onnx
                    limits: {params: 30M}
                """);
        assertThat(BudgetFile.read(file)).extracting(ModelBudget::label).containsExactly(
                "exports/alexnet.onnx", "exports/vgg16.onnx", "exports/resnet/resnet18.onnx", "exports/resnet/resnet50.onnx");
    }

    @Test
    void aBaselineAndGrowthAreReadRelativeToTheBudgetFile() throws IOException {
        Path file = write("budgets.yaml", """
                models:
                  - path: exports/alexnet.onnx
                    baseline: alexnet.json
                    max-growth: {params: 0%, macs: 2.5%}
                """);
        ModelBudget budget = BudgetFile.read(file).get(0);
        assertThat(budget.baseline().orElseThrow().figure(Figure.MACS)).contains(714_188_480L);
        assertThat(budget.growth()).extracting(GrowthLimit::figure).containsExactly(Figure.PARAMS, Figure.MACS);
        assertThat(budget.growth().get(1).percent()).isEqualByComparingTo(new BigDecimal("2.5"));
    }

    @Test
    void oneGrowthForEveryFigureCoversEachFigureABaselineHas() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    baseline: alexnet.json\n    max-growth: 2%\n");
        assertThat(BudgetFile.read(file).get(0).growth()).extracting(GrowthLimit::figure).containsExactly(
                Figure.PARAMS, Figure.BUFFERS, Figure.WEIGHT_BYTES, Figure.MACS, Figure.FLOPS, Figure.OPS, Figure.ACTIVATION);
    }

    @Test
    void aBadUnitNamesTheFileTheLineAndTheKey() throws IOException {
        Path file = write("budgets.yaml", """
                models:
                  - path: exports/alexnet.onnx
                    limits:
                      params: 62M
                      macs: 0.8X
                """);
        assertThatThrownBy(() -> BudgetFile.read(file)).isInstanceOf(UsageException.class)
                .hasMessage("budgets.yaml line 5, key 'models[0].limits.macs': '0.8X' has an unknown unit 'X'; "
                        + "counts take K, M, G, T = 10^3, 10^6, 10^9, 10^12 (62M, 0.8G).");
    }

    @Test
    void anUnknownKeyNamesItsLineAndTheValidKeys() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    limits: {params: 1M}\n    limit: {macs: 1G}\n");
        assertThatThrownBy(() -> BudgetFile.read(file))
                .hasMessage("budgets.yaml line 4, key 'models[0].limit': is not a key here; use one of: baseline, fit-batch, fit-by, fit-mode, input, limits, max-growth, memory, optimizer, path.");
    }

    @Test
    void anUnknownFigureNamesTheValidFigures() throws IOException {
        Path file = write("budgets.json", "{\"models\": [\n {\"path\": \"exports/alexnet.onnx\",\n  \"limits\": {\"gflops\": \"1G\"}}]}");
        assertThatThrownBy(() -> BudgetFile.read(file))
                .hasMessage("budgets.json line 3, key 'models[0].limits.gflops': is not a figure; use one of: "
                        + "params, buffers, weight-bytes, macs, flops, ops, activation, file-size.");
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    limits: {params: 1M\n");
        assertThatThrownBy(() -> BudgetFile.read(file)).isInstanceOf(UsageException.class)
                .hasMessage("budgets.yaml line 4: not valid YAML (expected ',' or '}', but got <stream end>; "
                        + "the flow mapping began on line 3).");
    }

    @Test
    void aJsonSyntaxErrorNamesItsLine() throws IOException {
        Path file = write("budgets.json", "{\"models\": [\n  {\"path\": \"exports/alexnet.onnx\",}\n]}");
        assertThatThrownBy(() -> BudgetFile.read(file)).hasMessageStartingWith("budgets.json line 2: not valid JSON (");
    }

    @Test
    void aKeyGivenTwiceIsAnError() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    limits:\n      params: 1M\n      params: 2M\n");
        assertThatThrownBy(() -> BudgetFile.read(file)).hasMessageStartingWith("budgets.yaml line 5: not valid YAML (Duplicate field 'params'");
    }

    @Test
    void aGlobThatMatchesNothingIsAnErrorNotAnEmptyPass() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/*.pt\n    limits: {params: 1M}\n");
        assertThatThrownBy(() -> BudgetFile.read(file))
                .hasMessageStartingWith("budgets.yaml line 2, key 'models[0].path': 'exports/*.pt' matches no file under ");
    }

    @Test
    void aMissingModelFileIsAnError() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/missing.onnx\n    limits: {params: 1M}\n");
        assertThatThrownBy(() -> BudgetFile.read(file))
                .hasMessageStartingWith("budgets.yaml line 2, key 'models[0].path': 'exports/missing.onnx' is not a file (looked for ");
    }

    @Test
    void aModelWithoutLimitsIsAnErrorBecauseItWouldAlwaysPass() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n");
        assertThatThrownBy(() -> BudgetFile.read(file)).hasMessage("budgets.yaml line 2, key 'models[0]': has no 'limits' and no "
                + "'max-growth', so it would pass whatever the model; add at least one limit.");
    }

    @Test
    void growthWithoutABaselineIsAnError() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    max-growth: 2%\n");
        assertThatThrownBy(() -> BudgetFile.read(file))
                .hasMessage("budgets.yaml line 3, key 'models[0].max-growth': needs a 'baseline' in the same entry to grow from.");
    }

    @Test
    void aBaselineThatIsNotASummaryIsAnErrorAtItsKey() throws IOException {
        write("bad.json", "{\"layers\": []}");
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    baseline: bad.json\n    max-growth: 2%\n");
        assertThatThrownBy(() -> BudgetFile.read(file)).hasMessageStartingWith("budgets.yaml line 3, key 'models[0].baseline': "
                + "the baseline ").hasMessageEndingWith("bad.json has no 'totals' object; give the output of 'tally summary MODEL --format json'.");
    }

    @Test
    void anEmptyFileOrAFileWithoutModelsSaysWhatIsNeeded() throws IOException {
        assertThatThrownBy(() -> BudgetFile.read(write("empty.yaml", "# nothing yet\n")))
                .hasMessage("empty.yaml is empty; it needs a 'models' list (see 'tally check --help').");
        assertThatThrownBy(() -> BudgetFile.read(write("none.yaml", "defaults: {input: 1x3x224x224}\n")))
                .hasMessage("none.yaml: needs a non-empty 'models' list of entries with a 'path'.");
    }

    @Test
    void aBadInputShapeNamesItsKey() throws IOException {
        Path file = write("budgets.yaml", "models:\n  - path: exports/alexnet.onnx\n    input: 1x3xbig\n    limits: {params: 1M}\n");
        assertThatThrownBy(() -> BudgetFile.read(file)).hasMessageStartingWith("budgets.yaml line 3, key 'models[0].input': ");
    }

    @Test
    void displayKeysReadLikeThePathsPeopleWrite() {
        assertThat(BudgetFile.displayKey("/models/12/limits/macs")).isEqualTo("models[12].limits.macs");
        assertThat(BudgetFile.displayKey("/defaults")).isEqualTo("defaults");
    }
}
