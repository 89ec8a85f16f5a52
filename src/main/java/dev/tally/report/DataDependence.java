package dev.tally.report;

import java.util.List;

/**
 * The part of a model whose sizes depend on the data a run sees (what NonMaxSuppression keeps, a NonZero's count, a
 * loop's trip count): its counts are taken at the bounds the graph states, so they are upper bounds, not exact
 * (docs/conventions.md, "Data-dependent sizes").
 *
 * @param nodes   nodes whose inputs, outputs or count are data-dependent
 * @param macs    their MACs, part of the totals; an upper bound
 * @param ops     their ops, likewise
 * @param sources the nodes that introduce a data-dependent size or decide between branches, each with the bound it
 *                states, in graph order
 */
public record DataDependence(int nodes, long macs, long ops, List<Source> sources) {
    public static final DataDependence NONE = new DataDependence(0, 0, 0, List.of());

    public DataDependence {
        sources = List.copyOf(sources);
        if (nodes < 0 || macs < 0 || ops < 0) {
            throw new IllegalArgumentException("Data-dependent figures cannot be negative.");
        }
    }

    /** Whether any node is data-dependent. */
    public boolean any() {
        return nodes > 0;
    }

    /** A node that introduces a data-dependent size, and the sentence stating its bound. */
    public record Source(String node, String op, String note) {
    }
}
