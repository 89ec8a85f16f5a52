package dev.tally.report.compare;

import dev.tally.report.LayerSummary;
import dev.tally.report.Summary;
import dev.tally.report.Totals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds a {@link Comparison} from summaries of any depth: rows are folded again here, so depth 0 inputs are fine. */
public final class ComparisonBuilder {
    private ComparisonBuilder() {
    }

    /**
     * @param depth components of the module path that name a stage; 0 compares every layer as it is
     */
    public static Comparison build(List<Summary> summaries, int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("Depth cannot be negative: " + depth + ".");
        }
        List<Map<String, Totals>> folded = new ArrayList<>();
        for (Summary summary : summaries) {
            Map<String, Totals> stages = new LinkedHashMap<>();
            for (LayerSummary layer : summary.layers()) {
                stages.merge(fold(layer.name(), depth), layer.figures(), Totals::plus);
            }
            folded.add(stages);
        }
        List<String> order = align(folded);
        List<StageRow> rows = new ArrayList<>();
        for (String name : order) {
            List<Optional<Totals>> figures = new ArrayList<>();
            for (Map<String, Totals> stages : folded) {
                figures.add(Optional.ofNullable(stages.get(name)));
            }
            rows.add(new StageRow(name, figures));
        }
        return new Comparison(labels(summaries), summaries, depth, rows);
    }

    /**
     * The first model's stages in its order; a stage of a later model that no earlier one has goes right after
     * the stage preceding it in its own model, so vgg19's extra convolutions sit among vgg16's.
     */
    static List<String> align(List<Map<String, Totals>> models) {
        List<String> order = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        for (Map<String, Totals> model : models) {
            int insertAt = 0;
            for (String name : model.keySet()) {
                if (placed.contains(name)) {
                    insertAt = order.indexOf(name) + 1;
                } else {
                    order.add(insertAt, name);
                    placed.add(name);
                    insertAt++;
                }
            }
        }
        return order;
    }

    /** The first {@code depth} dot-separated components of a module path (all of it when shorter, or depth 0). */
    static String fold(String layer, int depth) {
        if (depth == 0) {
            return layer;
        }
        int end = -1;
        for (int i = 0; i < depth; i++) {
            end = layer.indexOf('.', end + 1);
            if (end < 0) {
                return layer;
            }
        }
        return layer.substring(0, end);
    }

    /** File names, or the paths as given where two file names are the same. */
    static List<String> labels(List<Summary> summaries) {
        List<String> names = new ArrayList<>();
        for (Summary summary : summaries) {
            Path file = Path.of(summary.model().path()).getFileName();
            names.add(file == null ? summary.model().path() : file.toString());
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < summaries.size(); i++) {
            String name = names.get(i);
            boolean clash = names.indexOf(name) != names.lastIndexOf(name);
            labels.add(clash ? summaries.get(i).model().path() : name);
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.indexOf(labels.get(i)) != i) {
                labels.set(i, labels.get(i) + " #" + (i + 1));
            }
        }
        return labels;
    }
}
