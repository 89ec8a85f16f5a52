package dev.tally.catalog;

import dev.tally.analysis.Analyzer;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The rows {@code tally catalog} shows: the entries of the chosen task counted at their input (or {@code --input}),
 * marked for the Pareto front over the whole task (so {@code --where} hides rows without changing who is on
 * the front), filtered, sorted.
 *
 * @param input     {@code --input}, or empty for each entry's own evaluation input
 * @param sort      the sort column; also the Pareto cost when it is a cost
 * @param where     {@code --where}, or null
 * @param columns   every column name, for the messages
 */
public record CatalogTable(String task, Optional<Shape> input, Column sort, Column paretoCost, List<CatalogRow> rows,
                           Map<String, Column> columns) {
    public static final String ALL = "all";

    public CatalogTable {
        rows = List.copyOf(rows);
    }

    /** The task names {@code --task} takes, in the catalog's order, then {@code all}. */
    public static List<String> tasks(WeightsCatalog catalog) {
        Set<String> tasks = new LinkedHashSet<>();
        catalog.entries().forEach(e -> tasks.add(e.task()));
        tasks.add(ALL);
        return List.copyOf(tasks);
    }

    /**
     * @param extra rows to place among the catalog's (the user's model), or none
     */
    public static CatalogTable build(WeightsCatalog catalog, String task, Optional<Shape> input, String sortKey, String where,
                                     Analyzer analyzer, MemoryFigures memory, Long memoryBytes, List<CatalogRow> extra) {
        List<String> tasks = tasks(catalog);
        if (!tasks.contains(task)) {
            throw new UsageException("Unknown task '" + task + "'. Use one of: " + String.join(", ", tasks) + ".");
        }
        Map<String, Column> columns = Column.all(catalog.entries());
        Column sort = Column.lookup(columns, sortKey, "sort");
        Predicate<CatalogRow> filter = where == null ? row -> true : Where.parse(where, columns);
        Column paretoCost = sort.isCost() ? sort : columns.get("macs");
        RowCoster coster = new RowCoster(analyzer, memory, memoryBytes);
        List<CatalogRow> rows = new ArrayList<>();
        for (WeightsEntry entry : catalog.entries()) {
            if (task.equals(ALL) || entry.task().equals(task)) {
                rows.add(coster.row(entry, input));
            }
        }
        rows = new ArrayList<>(Pareto.mark(rows, paretoCost));
        rows.addAll(extra);
        List<CatalogRow> shown = new ArrayList<>(rows.stream().filter(row -> row.yours() || filter.test(row)).toList());
        shown.sort(sort.order());
        return new CatalogTable(task, input, sort, paretoCost, shown, columns);
    }
}
