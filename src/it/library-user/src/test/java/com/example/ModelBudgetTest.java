package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.Tally;
import dev.tally.report.Summary;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's JUnit example, run by maven-invoker-plugin in a project that depends on dev.tally:tally alone. */
class ModelBudgetTest {
    private static final Path MODEL = Path.of(System.getProperty("tally.model"));

    // README: begin
    @Test
    void classifierFitsTheEdgeBudget() {
        Summary summary = Tally.analyze(MODEL, Tally.Options.defaults().withInput("1x1x32x32"));

        assertTrue(summary.unsupported().isEmpty(), "every op has a rule");
        assertTrue(summary.totals().params() <= 100_000, "at most 100K params");
        assertTrue(summary.totals().macs() <= 500_000, "at most 0.5M MACs");
    }
    // README: end

    @Test
    void theFiguresArePyTorchs() {
        Summary summary = Tally.analyze(MODEL, Tally.Options.defaults());
        // sum(p.numel() for p in LeNet5().parameters()) and the Conv/Linear MACs, from scripts/export_models.py.
        assertEquals(61_706, summary.totals().params());
        assertEquals(416_520, summary.totals().macs());
    }
}
