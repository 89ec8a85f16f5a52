package dev.tally.catalog;

import java.util.Comparator;
import java.util.List;

/** The catalog rows nearest the user's model by MACs, measured as a ratio (log distance), so 2x and 0.5x are as near. */
final class Neighbours {
    private Neighbours() {
    }

    static List<CatalogRow> nearest(CatalogRow yours, List<CatalogRow> rows, int count) {
        if (yours.macs().isEmpty()) {
            return List.of();
        }
        double at = Math.log(yours.macs().get());
        return rows.stream().filter(r -> !r.yours() && r.macs().isPresent())
                .sorted(Comparator.comparingDouble((CatalogRow r) -> Math.abs(Math.log(r.macs().get()) - at))
                        .thenComparing(r -> r.entry().weights()))
                .limit(count).toList();
    }
}
