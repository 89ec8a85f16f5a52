package dev.tally.budget;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.testing.FuzzInvariant;

/**
 * Fuzzes the budget-file reader ({@code tally check}'s YAML or JSON): parsing, keys, limits, units, growth and fit
 * gates. Globs are expanded in the file's own empty temporary folder.
 */
class BudgetFileFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void budgetFile(byte[] bytes) {
        FuzzInvariant.holdsForFile(bytes, ".yaml", BudgetFile::read);
    }
}
