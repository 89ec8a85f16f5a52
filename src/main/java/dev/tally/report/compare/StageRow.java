package dev.tally.report.compare;

import dev.tally.report.Totals;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One module path (folded to the comparison's depth) across the models: its figures in each model, or empty
 * where the model has no such module.
 */
public record StageRow(String name, List<Optional<Totals>> figures) {
    public StageRow {
        figures = List.copyOf(figures);
    }

    /** Whether some model lacks this module: the reports mark such rows. */
    public boolean isPartial() {
        return figures.stream().anyMatch(Optional::isEmpty);
    }

    /** The indexes of the models that have this module. */
    public List<Integer> presentIn() {
        List<Integer> present = new ArrayList<>();
        for (int i = 0; i < figures.size(); i++) {
            if (figures.get(i).isPresent()) {
                present.add(i);
            }
        }
        return present;
    }
}
