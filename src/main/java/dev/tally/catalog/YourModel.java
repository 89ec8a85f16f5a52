package dev.tally.catalog;

import dev.tally.ir.Shape;
import dev.tally.report.Summary;
import dev.tally.report.TensorSummary;
import dev.tally.report.Totals;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The user's model as a catalog row ({@code tally compare MODEL --catalog}), counted by Tally like any file. */
public final class YourModel {
    private YourModel() {
    }

    /**
     * @param name     what the row is called (the file name)
     * @param task     the catalog task it is placed in
     * @param metric   the task's accuracy metric ({@code acc@1}), used with {@code accuracy}
     * @param accuracy the user's own measured accuracy, or null when unknown (the chart then draws a line at its cost)
     * @param memory   its peak activation memory and, under {@code --memory}, the largest batch that fits
     */
    public static CatalogRow row(String name, Summary summary, String task, String metric, BigDecimal accuracy,
                                 MemoryFigures.Memory memory) {
        return row(name, summary, task, metric, accuracy, Optional.of(memory), memory.fitNote());
    }

    /**
     * A row with no memory figure, {@code why} saying why (a quantized checkpoint counted on its float model's graph, whose
     * float32 activations are not the quantized model's one-byte ones), as the catalog's quantized rows have none.
     */
    public static CatalogRow rowWithoutMemory(String name, Summary summary, String task, String metric, BigDecimal accuracy, String why) {
        return row(name, summary, task, metric, accuracy, Optional.empty(), why);
    }

    private static CatalogRow row(String name, Summary summary, String task, String metric, BigDecimal accuracy,
                                  Optional<MemoryFigures.Memory> memory, String more) {
        Map<String, Map<String, BigDecimal>> metrics = accuracy == null || metric == null ? Map.of()
                : Map.of("given with --accuracy", Map.of(metric, accuracy));
        // One shape, or the shape every input has (a two-frame optical flow model), shown with the inputs' names as the catalog's.
        List<Optional<Shape>> shapes = summary.inputs().stream().map(TensorSummary::shape).distinct().toList();
        Optional<Shape> input = shapes.size() == 1 ? shapes.get(0) : Optional.empty();
        List<String> names = summary.inputs().size() > 1 && input.isPresent()
                ? summary.inputs().stream().map(TensorSummary::name).toList() : List.of();
        Totals totals = summary.totals();
        WeightsEntry entry = new WeightsEntry(task, name, name, "yours", metrics,
                input.map(Shape::dims).orElse(List.of()), totals.params(), totals.paramBytes(), null, List.of(), null, null, names);
        String note = "your model" + (summary.inputs().size() > 1 ? " (" + summary.inputs().stream().map(TensorSummary::name).toList() + ")" : "")
                + (more.isEmpty() ? "" : "; " + more);
        return new CatalogRow(entry, input, Optional.of(CatalogRow.Cost.of(summary)),
                totals.params(), memory, note, false, true);
    }
}
