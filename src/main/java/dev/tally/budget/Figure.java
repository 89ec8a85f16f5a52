package dev.tally.budget;

import dev.tally.ir.Names;
import dev.tally.report.Summary;
import dev.tally.report.Units;
import dev.tally.report.compare.Metric;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The figures a budget can limit: every total of a summary plus the model file's size. Each has one name used
 * everywhere (the {@code --max-NAME} option, the key in a budget file, JSON and JUnit output) and a kind that
 * decides which units its limits take.
 */
public enum Figure {
    PARAMS("params", Kind.COUNT, Metric.PARAMS),
    BUFFERS("buffers", Kind.COUNT, Metric.BUFFERS),
    WEIGHT_BYTES("weight-bytes", Kind.BYTES, Metric.PARAM_BYTES),
    MACS("macs", Kind.COUNT, Metric.MACS),
    FLOPS("flops", Kind.COUNT, Metric.FLOPS),
    OPS("ops", Kind.COUNT, Metric.OPS),
    ACTIVATION("activation", Kind.BYTES, Metric.ACTIVATION_BYTES),
    FILE_SIZE("file-size", Kind.BYTES, null),
    /** The memory at the batch of a {@link FitGate} ({@code --fit-batch}); a gate of its own, not a limit key. */
    FIT_MEMORY("fit-memory", Kind.BYTES, null);

    /** Counts take decimal multipliers only; byte sizes take decimal (KB) and binary (KiB) units. */
    public enum Kind { COUNT, BYTES }

    private final String displayName;
    private final Kind kind;
    /** The summary total this figure is; null for the file size, which is not one. */
    private final Metric metric;

    Figure(String displayName, Kind kind, Metric metric) {
        this.displayName = displayName;
        this.kind = kind;
        this.metric = metric;
    }

    public String displayName() {
        return displayName;
    }

    public Kind kind() {
        return kind;
    }

    /** The key under {@code totals} in {@code summary --format json}; empty for the file size, which it lacks. */
    public Optional<String> summaryJsonName() {
        return Optional.ofNullable(metric).map(Metric::jsonName);
    }

    /** This figure of a model whose summary is {@code summary} and whose file is {@code fileBytes} long. */
    public long of(Summary summary, long fileBytes) {
        if (this == FIT_MEMORY) {
            throw new IllegalStateException("The fit memory is computed by BatchFit at the gate's batch, not read from a summary.");
        }
        return metric == null ? fileBytes : metric.of(summary.totals());
    }

    /**
     * {@code 61,100,840 (61.1 M)} or, for bytes, {@code 802,816 B (784.0 KiB)}: the IEC name, because a limit may
     * be written in decimal {@code MB} and the two must not be confused in one message.
     */
    public String format(long value) {
        if (kind == Kind.BYTES) {
            return Units.exact(value) + " B" + (Math.abs(value) < 1024 ? "" : " (" + Units.bytes(value) + ")");
        }
        return Units.exact(value) + (Math.abs(value) < 1000 ? "" : " (" + Units.count(value) + ")");
    }

    public static Figure parse(String name) {
        return Names.parse("figure", name, limits(), Figure::displayName);
    }

    /** {@code params, buffers, ...}, for messages that list the valid names. */
    public static String names() {
        return Names.list(limits(), Figure::displayName);
    }

    /** The figures a limit can name: all but the fit gate's memory. */
    private static List<Figure> limits() {
        return Arrays.stream(values()).filter(f -> f != FIT_MEMORY).toList();
    }
}
