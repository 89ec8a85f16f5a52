package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.budget.BudgetFile;
import dev.tally.budget.CheckRenderer;
import dev.tally.budget.CheckReport;
import dev.tally.report.Format;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BudgetGate, which the tally-maven-plugin's check goal calls, reports what {@code tally check --budget} reports:
 * the same figures (PyTorch's), verdict and exit code, checkpoints included.
 */
class BudgetGateTest {
    @TempDir
    Path dir;

    @Test
    void aBudgetFileGivesTheReportOfTallyCheck() throws IOException {
        Files.createSymbolicLink(dir.resolve("lenet5.onnx"), Fixtures.file("lenet5.onnx"));
        Files.createSymbolicLink(dir.resolve("resnet18.pth"), Fixtures.file("resnet18.pth"));
        long lenet5 = Fixtures.expected("lenet5").params();
        long resnet18 = Fixtures.expected("resnet18").params();
        Path budget = Files.writeString(dir.resolve("budgets.yaml"), "models:\n"
                + "  - path: lenet5.onnx\n    limits: {params: " + (lenet5 - 1) + "}\n"
                + "  - path: resnet18.pth\n    input: 1x3x224x224\n    limits: {params: " + resnet18 + "}\n");

        CheckReport report = BudgetGate.check(BudgetFile.read(budget));

        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.models().get(0).results().get(0).actual()).isEqualTo(lenet5);
        assertThat(report.models().get(1).results().get(0).actual()).isEqualTo(resnet18);
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "check", "--budget", budget.toString(), "--format", "json");
        assertThat(code).isEqualTo(report.exitCode());
        assertThat(CheckRenderer.render(report, Format.JSON)).isEqualTo(out.toString());
    }
}
