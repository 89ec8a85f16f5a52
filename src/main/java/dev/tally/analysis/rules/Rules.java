package dev.tally.analysis.rules;

import dev.tally.analysis.RuleTable;

/** The table of every op Tally knows: one line per op. Adding an op is one rule class and one line here. */
public final class Rules {
    private Rules() {
    }

    public static RuleTable standard() {
        return new RuleTable()
                .ignore("Identity", "Dropout");
    }
}
