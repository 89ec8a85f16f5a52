package dev.tally.cli;

import dev.tally.load.ModelLoader;
import dev.tally.analysis.Analyzer;
import dev.tally.budget.BudgetChecker;
import dev.tally.budget.CheckReport;
import dev.tally.budget.ModelBudget;
import java.util.List;

/**
 * {@code tally check} as a call, for build tools: the budgets checked with the command's own loader (safetensors
 * through their catalog match, checkpoints through the audit) and analysis, so the verdicts, the one-line
 * messages and the JUnit XML ({@link dev.tally.budget.JUnitXml}) are the command's. The tally-maven-plugin's
 * {@code check} goal calls it with the budgets of {@link dev.tally.budget.BudgetFile#read}.
 */
public final class BudgetGate {
    private BudgetGate() {
    }

    /** Every budget checked in order; a model that cannot be read is an error entry of the report, not an exception. */
    public static CheckReport check(List<ModelBudget> budgets) {
        CheckCommand command = new CheckCommand(ModelLoader::load, new Analyzer());
        return new BudgetChecker(command::analyze, command::fitMemory).check(budgets);
    }
}
