package dev.tally.report;

import dev.tally.analysis.Convention;
import dev.tally.ir.Shape;
import java.util.Optional;

/**
 * One row of the report: the nodes of one PyTorch module path (or of its parent at a given {@code --depth}),
 * summed.
 *
 * @param name           the module path ({@code features.0}), with {@code (call 2 of 3)} when the module ran more
 *                       than once, or {@link #NOT_USED_BY_FORWARD}
 * @param type           the module's class when the file records it ({@code Bottleneck}); else "-" for a row that
 *                       folds several modules; else the op of the row's main node (the first with params or MACs,
 *                       else the last node)
 * @param outputShape    the first output of the layer's last node; empty when no rule could resolve it
 * @param nodes          how many graph nodes the row sums
 * @param uncountedNodes nodes of the row without a count: an unsupported op, or fed by one
 * @param frozenParams   the part of {@code params} that does not require grad
 * @param dataDependentNodes nodes of the row whose sizes depend on the data: the row's counts and output shape are
 *                       then upper bounds (docs/conventions.md, "Data-dependent sizes")
 */
public record LayerSummary(String name, String type, Optional<Shape> outputShape, long params, long buffers,
                           long paramBytes, long macs, long flops, long ops, long activationBytes, int nodes,
                           int uncountedNodes, long frozenParams, int dataDependentNodes) {
    /** The name of the row that holds stored tensors no node reads, so that layer sums always equal the totals. */
    public static final String NOT_USED_BY_FORWARD = "(not used by forward)";

    public LayerSummary {
        check(name, params, nodes, uncountedNodes, frozenParams, dataDependentNodes);
    }

    /** The checks of a row's fields, which a table of rows ({@link LayerTable}) makes without making each row. */
    static void check(String name, long params, int nodes, int uncountedNodes, long frozenParams, int dataDependentNodes) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A layer needs a name.");
        }
        if (nodes < 0 || uncountedNodes < 0 || uncountedNodes > nodes) {
            throw new IllegalArgumentException("Layer '" + name + "' has " + uncountedNodes + " uncounted of " + nodes + " nodes.");
        }
        if (dataDependentNodes < 0 || dataDependentNodes > nodes) {
            throw new IllegalArgumentException("Layer '" + name + "' has " + dataDependentNodes + " data-dependent of " + nodes + " nodes.");
        }
        if (frozenParams < 0 || frozenParams > params) {
            throw new IllegalArgumentException("Layer '" + name + "' has " + frozenParams + " frozen of " + params + " params.");
        }
    }

    /** A row whose sizes all follow from the input shapes. */
    public LayerSummary(String name, String type, Optional<Shape> outputShape, long params, long buffers,
                        long paramBytes, long macs, long flops, long ops, long activationBytes, int nodes,
                        int uncountedNodes, long frozenParams) {
        this(name, type, outputShape, params, buffers, paramBytes, macs, flops, ops, activationBytes, nodes,
                uncountedNodes, frozenParams, 0);
    }

    /** Whether the row's counts are upper bounds because a size in it depends on the data. */
    public boolean isDataDependent() {
        return dataDependentNodes > 0;
    }

    /** A row whose params all require grad. */
    public LayerSummary(String name, String type, Optional<Shape> outputShape, long params, long buffers,
                        long paramBytes, long macs, long flops, long ops, long activationBytes, int nodes,
                        int uncountedNodes) {
        this(name, type, outputShape, params, buffers, paramBytes, macs, flops, ops, activationBytes, nodes, uncountedNodes, 0);
    }

    /** The row's figures as totals, for summing. */
    public Totals figures() {
        return new Totals(params, buffers, paramBytes, macs, flops, ops, activationBytes, frozenParams);
    }

    /** The count {@code convention} names. */
    public long count(Convention convention) {
        // Without a Totals each call: the table asks once per row, twice (600 MB on a million rows).
        return switch (convention) {
            case MACS -> macs;
            case FLOPS -> flops;
            case OPS -> ops;
        };
    }

    public boolean isComplete() {
        return uncountedNodes == 0;
    }
}
