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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
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
 * @param budget    {@code --memory} and {@code --by}, or null: the fitBatch column is shown with it
 */
public record CatalogTable(String task, Optional<Shape> input, Column sort, Column paretoCost, List<CatalogRow> rows,
                           Map<String, Column> columns, MemoryFigures.Budget budget) {
    /** Rows are counted on this many threads: the machines Tally's numbers are checked on have 2 cores. */
    private static final int THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

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
     * @param budget {@code --memory} and {@code --by}, or null for no fitBatch column
     * @param extra  rows to place among the catalog's (the user's model), or none
     */
    public static CatalogTable build(WeightsCatalog catalog, String task, Optional<Shape> input, String sortKey, String where,
                                     Analyzer analyzer, MemoryFigures memory, MemoryFigures.Budget budget, List<CatalogRow> extra) {
        List<String> tasks = tasks(catalog);
        if (!tasks.contains(task)) {
            throw new UsageException("Unknown task '" + task + "'. Use one of: " + String.join(", ", tasks) + ".");
        }
        Map<String, Column> columns = Column.all(catalog.entries());
        Column sort = Column.lookup(columns, sortKey, "sort");
        Predicate<CatalogRow> filter = where == null ? row -> true : Where.parse(where, columns);
        Column paretoCost = sort.isCost() ? sort : columns.get("macs");
        RowCoster coster = new RowCoster(analyzer, memory, budget);
        List<WeightsEntry> entries = catalog.entries().stream().filter(e -> task.equals(ALL) || e.task().equals(task)).toList();
        List<CatalogRow> rows = new ArrayList<>(Pareto.mark(parallel(entries, entry -> coster.row(entry, input)), paretoCost));
        // The largest batch costs a dozen shape passes per row: found for the rows shown, unless --where or --sort
        // needs it for every row.
        boolean fitAll = sort.key().equals(Column.FIT_BATCH) || where != null && Where.mentions(where, Column.FIT_BATCH);
        if (budget == null && fitAll) {
            throw new UsageException("The fitBatch column needs --memory SIZE (e.g. --memory 12GiB): it is the largest batch that fits that memory.");
        }
        if (budget != null && fitAll) {
            rows = new ArrayList<>(parallel(rows, coster::withFit));
        }
        rows.addAll(extra);
        List<CatalogRow> shown = new ArrayList<>(rows.stream().filter(row -> row.yours() || filter.test(row)).toList());
        if (budget != null && !fitAll) {
            shown = new ArrayList<>(parallel(shown, coster::withFit));
        }
        shown.sort(sort.order());
        return new CatalogTable(task, input, sort, paretoCost, shown, columns, budget);
    }

    /** {@code work} applied to every item, results in the items' order, on {@link #THREADS} threads. */
    private static <T> List<CatalogRow> parallel(List<T> items, Function<T, CatalogRow> work) {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "tally-catalog");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<CatalogRow>> rows = new ArrayList<>();
            for (T item : items) {
                rows.add(pool.submit(() -> work.apply(item)));
            }
            List<CatalogRow> done = new ArrayList<>();
            for (Future<CatalogRow> row : rows) {
                done.add(row.get());
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while counting the catalog's rows.", e);
        } catch (ExecutionException e) {
            // A row's own failures become its note; anything else is a bug and is raised as it was thrown.
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
