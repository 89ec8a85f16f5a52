package dev.tally.report.compare;

import dev.tally.report.Summary;
import java.util.List;

/**
 * Models side by side ({@code tally compare A B C}): every figure of each, differences against the first, and
 * the stages (module paths folded to {@code depth}) aligned by name.
 *
 * @param labels how reports name each model: its file name, or its path when two file names are equal
 * @param depth  how many components of a module path name a stage; 1 gives the top-level modules
 * @param stages every stage of every model, in the first model's order with the others' own stages placed
 *               after the stage that precedes them in their model
 */
public record Comparison(List<String> labels, List<Summary> summaries, int depth, List<StageRow> stages) {
    public Comparison {
        labels = List.copyOf(labels);
        summaries = List.copyOf(summaries);
        stages = List.copyOf(stages);
        if (labels.size() != summaries.size() || summaries.size() < 2) {
            throw new IllegalArgumentException("A comparison needs two or more models, each with a label.");
        }
        for (StageRow stage : stages) {
            if (stage.figures().size() != summaries.size()) {
                throw new IllegalArgumentException("Stage '" + stage.name() + "' has " + stage.figures().size()
                        + " columns for " + summaries.size() + " models.");
            }
        }
    }

    /** {@code metric} of model {@code index} against the first model's. */
    public Difference total(Metric metric, int index) {
        return Difference.between(metric.of(summaries.get(0).totals()), metric.of(summaries.get(index).totals()));
    }
}
