package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.report.Format;
import dev.tally.report.compare.GoldenFiles;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The check report in every format on real fixtures (alexnet and lenet5 made by PyTorch) plus a file that is not a
 * model, labelled as a budget file would label them so the golden files do not depend on the fixture folder.
 */
class CheckGoldenTest {
    private static CheckReport report;

    @BeforeAll
    static void check() {
        ModelBudget alexnet = new ModelBudget(Fixtures.file("alexnet.onnx"), "exports/alexnet.onnx", List.of(),
                List.of(Limit.parse(Figure.PARAMS, "62M"), Limit.parse(Figure.MACS, "700M"),
                        Limit.parse(Figure.ACTIVATION, "4MiB"), Limit.parse(Figure.FILE_SIZE, "250MB")),
                List.of(), Optional.empty());
        ModelBudget lenet = new ModelBudget(Fixtures.file("lenet5.onnx"), "exports/lenet5.onnx", List.of(),
                List.of(Limit.parse(Figure.PARAMS, "100K"), Limit.parse(Figure.FLOPS, "1M")), List.of(), Optional.empty());
        ModelBudget broken = new ModelBudget(Fixtures.file("alexnet.expected.json"), "exports/broken.onnx", List.of(),
                List.of(Limit.parse(Figure.PARAMS, "1M")), List.of(), Optional.empty());
        report = new BudgetChecker(b -> Tally.analyze(b.file(), Tally.Options.defaults().withInputs(b.inputs())))
                .check(List.of(alexnet, lenet, broken));
    }

    @Test
    void theFiguresAreThoseOfPyTorch() {
        assertThat(report.models().get(0).results().get(0).actual()).isEqualTo(Fixtures.expected("alexnet").params());
        assertThat(report.models().get(0).results().get(1).actual()).isEqualTo(Fixtures.expected("alexnet").macs());
        assertThat(report.models().get(1).results().get(0).actual()).isEqualTo(Fixtures.expected("lenet5").params());
        assertThat(report.models().get(1).results().get(1).actual()).isEqualTo(2 * Fixtures.expected("lenet5").macs());
        assertThat(report.exitCode()).isEqualTo(2);
    }

    @Test
    void table(TestInfo test) {
        GoldenFiles.assertMatches("check", test, "txt", CheckRenderer.render(report, Format.TABLE));
    }

    @Test
    void markdown(TestInfo test) {
        GoldenFiles.assertMatches("check", test, "md", CheckRenderer.render(report, Format.MARKDOWN));
    }

    @Test
    void json(TestInfo test) {
        GoldenFiles.assertMatches("check", test, "json", CheckRenderer.render(report, Format.JSON));
    }

    @Test
    void csv(TestInfo test) {
        GoldenFiles.assertMatches("check", test, "csv", CheckRenderer.render(report, Format.CSV));
    }
}
