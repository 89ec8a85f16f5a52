package dev.tally.maven;

import dev.tally.budget.BudgetFile;
import dev.tally.budget.CheckRenderer;
import dev.tally.budget.CheckReport;
import dev.tally.budget.CheckResult;
import dev.tally.budget.Figure;
import dev.tally.budget.JUnitXml;
import dev.tally.budget.Limit;
import dev.tally.budget.ModelBudget;
import dev.tally.budget.ModelCheck;
import dev.tally.cli.BudgetGate;
import dev.tally.ir.TallyException;
import dev.tally.report.Format;
import dev.tally.report.Units;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code tally:check}: fails the build when a model is over its budget, as {@code tally check} exits 1. The budget
 * file is the command's (YAML or JSON, paths relative to it), read and checked by the same code in the tally jar
 * ({@link BudgetFile}, {@link BudgetGate}), so the report and its one-line messages are the command's too. The
 * JUnit XML goes where Surefire writes its reports, so CI shows each limit as a test beside the unit tests.
 *
 * <p>Exceeded limits fail the build unless {@code failOnExceeded} is false (then they are logged as warnings); a
 * budget file or model that cannot be read, or a figure that is only a lower bound, always fails it, as the
 * command's exit 2 does: that is a broken gate, not a verdict.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public final class CheckMojo extends AbstractMojo {
    /** A budget file of models, inputs and limits, as {@code tally check --budget FILE} reads it. */
    @Parameter(property = "tally.budget")
    private File budgetFile;

    /** Model files checked against {@code limits}, beside or instead of a budget file. */
    @Parameter
    private List<File> models = new ArrayList<>();

    /** Limits on the {@code models}, by the budget file's keys: {@code <params>62M</params>}, {@code <macs>0.8G</macs>}. */
    @Parameter
    private Map<String, String> limits = new LinkedHashMap<>();

    /** Input shapes of the {@code models}, as {@code --input} takes them: {@code 1x3x224x224} or {@code name=1x3x224x224}. */
    @Parameter
    private List<String> inputs = new ArrayList<>();

    /** The JUnit XML report: one test case per model and limit. */
    @Parameter(property = "tally.junit", defaultValue = "${project.build.directory}/surefire-reports/TEST-tally.xml")
    private File junitFile;

    /** False: exceeded limits are warnings and the build goes on. */
    @Parameter(property = "tally.failOnExceeded", defaultValue = "true")
    private boolean failOnExceeded;

    @Parameter(defaultValue = "${project.basedir}", readonly = true)
    private File basedir;

    /** Skips the check (as {@code -Dtally.skip}). */
    @Parameter(property = "tally.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            getLog().info("Tally check skipped.");
            return;
        }
        CheckReport report;
        try {
            report = BudgetGate.check(budgets());
            CheckRenderer.render(report, Format.TABLE).lines().forEach(getLog()::info);
            Files.createDirectories(junitFile.toPath().toAbsolutePath().getParent());
            JUnitXml.write(report, junitFile.toPath());
        } catch (TallyException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (IOException e) {
            throw new MojoFailureException("Cannot make the folder of " + junitFile + " (" + e.getMessage() + "); check <junitFile>.");
        }
        getLog().info("JUnit XML: " + junitFile);
        List<String> errors = new ArrayList<>();
        List<String> over = new ArrayList<>();
        for (ModelCheck model : report.models()) {
            model.error().ifPresent(errors::add);
            for (CheckResult result : model.results()) {
                if (result.status() == CheckResult.Status.ERROR) {
                    errors.add(result.message());
                } else if (result.status() == CheckResult.Status.FAIL) {
                    over.add(result.message());
                }
            }
        }
        if (!errors.isEmpty()) {
            errors.forEach(getLog()::error);
            throw new MojoFailureException(String.join(System.lineSeparator(), errors));
        }
        if (over.isEmpty()) {
            return;
        }
        if (!failOnExceeded) {
            over.forEach(getLog()::warn);
            return;
        }
        over.forEach(getLog()::error);
        throw new MojoFailureException(String.join(System.lineSeparator(), over));
    }

    /** How messages name a model: its path relative to the project, as a budget file names its models. */
    private String label(File model) {
        Path path = model.toPath().toAbsolutePath().normalize();
        Path base = basedir.toPath().toAbsolutePath().normalize();
        return path.startsWith(base) ? base.relativize(path).toString() : path.toString();
    }

    /** The budget file's budgets, then one per model with {@code limits}; either may be absent, not both. */
    private List<ModelBudget> budgets() throws MojoFailureException {
        List<ModelBudget> budgets = new ArrayList<>();
        if (budgetFile != null) {
            budgets.addAll(BudgetFile.read(budgetFile.toPath()));
        }
        if (models.isEmpty() && (!limits.isEmpty() || !inputs.isEmpty())) {
            throw new MojoFailureException("<limits> and <inputs> apply to <models>, and none is given; put limits for the models"
                    + " of a budget file in the file.");
        }
        if (!models.isEmpty() && limits.isEmpty()) {
            throw new MojoFailureException("<models> are given without <limits>: add at least one, e.g. <limits><params>62M</params></limits>.");
        }
        List<Limit> parsed = new ArrayList<>();
        for (Map.Entry<String, String> limit : limits.entrySet()) {
            Figure figure = Figure.parse(limit.getKey());
            try {
                parsed.add(Limit.parse(figure, limit.getValue() == null ? "" : limit.getValue()));
            } catch (Units.UnitFormatException e) {
                throw new MojoFailureException("<limits><" + limit.getKey() + "> " + e.getMessage() + ".");
            }
        }
        for (File model : models) {
            budgets.add(new ModelBudget(model.toPath(), label(model), inputs, parsed, List.of(), Optional.empty()));
        }
        if (budgets.isEmpty()) {
            throw new MojoFailureException("Nothing to check: give <budgetFile>, or <models> with <limits>.");
        }
        return budgets;
    }
}
