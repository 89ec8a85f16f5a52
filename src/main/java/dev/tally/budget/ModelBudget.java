package dev.tally.budget;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What to check for one model file.
 *
 * @param label    how reports name the model: the path as the user or the budget file wrote it
 * @param inputs   input shapes as {@code --input} takes them ({@code 1x3x224x224}, {@code name=1x3x224x224});
 *                 empty for the shapes the file declares
 * @param growth   growth limits, checked against {@code baseline}
 * @param baseline an earlier summary; present whenever {@code growth} is not empty
 * @param fit      the batch that must fit in a memory ({@code --fit-batch}, {@code --memory}), if gated
 */
public record ModelBudget(Path file, String label, List<String> inputs, List<Limit> limits, List<GrowthLimit> growth,
                          Optional<Baseline> baseline, Optional<FitGate> fit) {
    public ModelBudget(Path file, String label, List<String> inputs, List<Limit> limits, List<GrowthLimit> growth,
                       Optional<Baseline> baseline) {
        this(file, label, inputs, limits, growth, baseline, Optional.empty());
    }

    public ModelBudget {
        fit = fit == null ? Optional.empty() : fit;
        inputs = List.copyOf(inputs);
        limits = List.copyOf(limits);
        growth = List.copyOf(growth);
        if (!growth.isEmpty() && baseline.isEmpty()) {
            throw new IllegalArgumentException("Growth limits for " + label + " need a baseline.");
        }
    }

    /** Whether anything is checked at all; a budget without limits would pass vacuously. */
    public boolean hasChecks() {
        return !limits.isEmpty() || !growth.isEmpty() || fit.isPresent();
    }
}
