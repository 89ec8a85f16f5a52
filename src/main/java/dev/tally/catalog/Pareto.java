package dev.tally.catalog;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Pareto front of each task: a row is on it when no other row of the same task is at least as accurate and
 * at most as costly, and better in one of the two. Two rows with equal accuracy and cost are both on it.
 *
 * <p>Accuracy is the task's first published metric ({@link WeightsEntry#accuracy()}: acc@1, miou, box_map).
 * Cost is the sort column when it is a cost (params, macs, flops, size, memory), and MACs otherwise (sorting by
 * accuracy or by name does not change what "costly" means). Rows without accuracy or cost, and the user's own
 * model, are never on the front and do not push others off it.
 */
public final class Pareto {
    private Pareto() {
    }

    public static List<CatalogRow> mark(List<CatalogRow> rows, Column cost) {
        List<CatalogRow> marked = new ArrayList<>();
        for (CatalogRow row : rows) {
            marked.add(row.withPareto(onFront(row, rows, cost)));
        }
        return marked;
    }

    private static boolean onFront(CatalogRow row, List<CatalogRow> rows, Column cost) {
        Optional<BigDecimal> accuracy = counted(row) ? row.entry().accuracy() : Optional.empty();
        Optional<Long> price = cost.value().apply(row).map(Long.class::cast);
        if (accuracy.isEmpty() || price.isEmpty()) {
            return false;
        }
        for (CatalogRow other : rows) {
            if (other == row || !counted(other) || !other.entry().task().equals(row.entry().task())) {
                continue;
            }
            Optional<BigDecimal> otherAccuracy = other.entry().accuracy();
            Optional<Long> otherPrice = cost.value().apply(other).map(Long.class::cast);
            if (otherAccuracy.isEmpty() || otherPrice.isEmpty()) {
                continue;
            }
            int better = otherAccuracy.get().compareTo(accuracy.get());
            int cheaper = Long.compare(price.get(), otherPrice.get());
            if (better >= 0 && cheaper >= 0 && (better > 0 || cheaper > 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean counted(CatalogRow row) {
        return !row.yours();
    }
}
