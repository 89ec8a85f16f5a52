package dev.tally.report.compare;

import dev.tally.ir.ModelFormat;
import dev.tally.report.ModelInfo;
import dev.tally.report.Units;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

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

    /**
     * What makes the figures of these files differ for reasons other than the models themselves, one sentence
     * each: files of different formats, and BatchNorms an exporter folded away. Every output format shows them.
     */
    public List<String> caveats() {
        List<String> caveats = new ArrayList<>();
        Set<ModelFormat> formats = new LinkedHashSet<>();
        summaries.forEach(s -> formats.add(s.model().format()));
        if (formats.size() > 1) {
            List<String> named = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                named.add(labels.get(i) + " is " + summaries.get(i).model().format().displayName());
            }
            caveats.add("The files are of different formats (" + String.join(", ", named) + "): an ONNX export leaves out"
                    + " BatchNorm's num_batches_tracked and may fold BatchNorm into Conv, so params and buffers can differ"
                    + " for the same model.");
        }
        for (int i = 0; i < labels.size(); i++) {
            ModelInfo model = summaries.get(i).model();
            if (model.foldedBatchNorms() > 0) {
                caveats.add(labels.get(i) + " has " + model.foldedBatchNorms() + " BatchNorm" + (model.foldedBatchNorms() == 1 ? "" : "s")
                        + " folded into Convs by the exporter (" + Units.exact(model.foldedChannels()) + " channels): its params are "
                        + Units.exact(model.foldedChannels()) + " to " + Units.exact(2 * model.foldedChannels())
                        + " lower than the model's as trained, and it has no running statistics.");
            }
        }
        return caveats;
    }

    /** {@code metric} of model {@code index} against the first model's. */
    public Difference total(Metric metric, int index) {
        return Difference.between(metric.of(summaries.get(0).totals()), metric.of(summaries.get(index).totals()));
    }
}
