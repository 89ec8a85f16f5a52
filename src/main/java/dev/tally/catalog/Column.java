package dev.tally.catalog;

import dev.tally.ir.UsageException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A column {@code --sort} and {@code --where} name: a cost (params, macs, flops, size, memory: lower is better),
 * a published metric (acc1 for acc@1, miou, box_map, ...: higher is better; optical flow's errors epe, per_image_epe,
 * fl_all: lower is better), the largest batch that fits
 * {@code --memory} (fitBatch, higher is better) or a text (task, family, builder, weights).
 *
 * @param key  the name on the command line
 * @param kind what the value is, which decides the units {@code --where} takes and the sort direction
 */
public record Column(String key, Kind kind, Function<CatalogRow, Optional<?>> value) {
    public enum Kind {
        /** A count, lower is better; {@code --where} takes 62M, 0.8G. */
        COUNT_COST,
        /** Bytes, lower is better; {@code --where} takes 60MB, 1.5GiB. */
        BYTES_COST,
        /** A published metric, higher is better; {@code --where} takes a decimal. */
        METRIC,
        /** A published error, lower is better (end-point error, {@link WeightsEntry#ERRORS}); {@code --where} takes a decimal. */
        ERROR,
        /** A count where higher is better (the largest batch). */
        COUNT_BENEFIT,
        /** Text, compared with = and != only. */
        TEXT
    }

    /** The key of the largest batch that fits {@code --memory}. */
    public static final String FIT_BATCH = "fitBatch";

    public boolean isCost() {
        return kind == Kind.COUNT_COST || kind == Kind.BYTES_COST;
    }

    /** The standard columns, then one per metric name the catalog's entries report ({@code acc@1} as acc1). */
    public static Map<String, Column> all(List<WeightsEntry> entries) {
        Map<String, Column> columns = new LinkedHashMap<>();
        // A row whose cost depends on the data (detection) is compared at its bound: never taken for cheaper than it can be.
        add(columns, new Column("macs", Kind.COUNT_COST, CatalogRow::macsBound));
        add(columns, new Column("flops", Kind.COUNT_COST, CatalogRow::flopsBound));
        add(columns, new Column("params", Kind.COUNT_COST, row -> Optional.of(row.params())));
        add(columns, new Column("size", Kind.BYTES_COST, row -> row.yours() ? Optional.empty() : Optional.of(row.entry().bytes())));
        add(columns, new Column("memory", Kind.BYTES_COST, CatalogRow::peakActivationBytes));
        add(columns, new Column(FIT_BATCH, Kind.COUNT_BENEFIT, CatalogRow::fitBatch));
        add(columns, new Column("accuracy", Kind.METRIC, row -> row.entry().accuracy()));
        for (WeightsEntry entry : entries) {
            for (Map<String, BigDecimal> dataset : entry.metrics().values()) {
                for (String metric : dataset.keySet()) {
                    String key = metricKey(metric);
                    if (!columns.containsKey(key)) {
                        Kind kind = WeightsEntry.ERRORS.contains(metric) ? Kind.ERROR : Kind.METRIC;
                        add(columns, new Column(key, kind, row -> row.entry().metric(metric)));
                    }
                }
            }
        }
        add(columns, new Column("task", Kind.TEXT, row -> Optional.of(row.entry().task())));
        add(columns, new Column("family", Kind.TEXT, row -> Optional.of(row.entry().family())));
        add(columns, new Column("builder", Kind.TEXT, row -> Optional.of(row.entry().builder())));
        add(columns, new Column("weights", Kind.TEXT, row -> Optional.of(row.entry().weights())));
        return columns;
    }

    /** {@code acc@1} as {@code acc1}: the key people type for torchvision's metric name. */
    public static String metricKey(String metric) {
        return metric.replace("@", "");
    }

    private static void add(Map<String, Column> columns, Column column) {
        columns.put(column.key(), column);
    }

    /** The column {@code key} names, or a usage error listing the valid keys. */
    public static Column lookup(Map<String, Column> columns, String key, String option) {
        Column column = columns.get(key);
        if (column == null) {
            throw new UsageException("Unknown " + option + " key '" + key + "'. Use one of: " + String.join(", ", columns.keySet()) + ".");
        }
        return column;
    }

    /** Best first: costs ascending, metrics and batch descending, text in order; rows without a value last. */
    public Comparator<CatalogRow> order() {
        Comparator<Object> natural = (a, b) -> compareValues(a, b);
        Comparator<Object> direction = kind == Kind.METRIC || kind == Kind.COUNT_BENEFIT ? natural.reversed() : natural;
        return (a, b) -> {
            Optional<?> x = value.apply(a);
            Optional<?> y = value.apply(b);
            if (x.isEmpty() || y.isEmpty()) {
                return Boolean.compare(x.isEmpty(), y.isEmpty());
            }
            return direction.compare(x.get(), y.get());
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareValues(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    /** The column keys of one kind, for messages. */
    static List<String> keys(Map<String, Column> columns, Kind kind) {
        List<String> keys = new ArrayList<>();
        columns.values().stream().filter(c -> c.kind() == kind).forEach(c -> keys.add(c.key()));
        return keys;
    }
}
