package dev.tally.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Pareto front of each task: a row is on it when no other row of the same task, measured on the same benchmark,
 * is at least as good and at most as costly, and better in one of the two. Two rows with equal metric and cost are
 * both on it.
 *
 * <p>The metric is the entry's first published one on its first dataset ({@link WeightsEntry#benchmark()}): an accuracy,
 * higher is better (acc@1, miou, box_map), or for optical flow an error, lower is better (RAFT's end-point error, KITTI's
 * Fl-all). Rows are compared only when that dataset and metric are the same: every classifier reports acc@1 on
 * ImageNet-1K, while RAFT's entries report their errors on Sintel's training split, its test split or KITTI's test split,
 * three fronts. Cost is the sort column when it is a cost (params, macs, flops, size, memory), and MACs otherwise
 * (sorting by accuracy or by name does not change what "costly" means). Rows without a metric or cost, and the user's
 * own model, are never on the front and do not push others off it.
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
        Optional<WeightsEntry.Benchmark> metric = counted(row) ? row.entry().benchmark() : Optional.empty();
        Optional<Long> price = cost.value().apply(row).map(Long.class::cast);
        if (metric.isEmpty() || price.isEmpty()) {
            return false;
        }
        for (CatalogRow other : rows) {
            if (other == row || !counted(other) || !other.entry().task().equals(row.entry().task())) {
                continue;
            }
            Optional<WeightsEntry.Benchmark> otherMetric = other.entry().benchmark();
            Optional<Long> otherPrice = cost.value().apply(other).map(Long.class::cast);
            if (otherMetric.isEmpty() || otherPrice.isEmpty() || !otherMetric.get().sameAs(metric.get())) {
                continue;
            }
            int better = otherMetric.get().compareTo(metric.get());
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
