package dev.tally.catalog;

import dev.tally.ir.Shape;
import java.util.Optional;

/**
 * One row of {@code tally catalog}: a weights entry (or the user's model) with its cost at an input.
 *
 * @param entry      the weights entry; for the user's model, an entry with no metrics unless given
 * @param input      the input the cost is for, or empty when the task has none
 * @param cost       params, MACs and FLOPs counted by Tally on the structure-only graph, or empty ({@code note} says why)
 * @param params     the model's params: PyTorch's count of the model {@code builder(weights=W)} builds, from the
 *                   catalog script; Tally's count of the evaluation graph is {@code cost.params()}
 * @param memory     peak activation memory and the largest batch that fits {@code --memory} (see {@link MemoryFigures}), or empty
 * @param note       why the cost is absent, or how it was obtained (re-sized from the export size); empty when nothing to say
 * @param pareto     whether the row is on its task's Pareto front (see {@link Pareto}); false when undefined
 * @param yours      whether this row is the user's model ({@code tally compare MODEL --catalog})
 */
public record CatalogRow(WeightsEntry entry, Optional<Shape> input, Optional<Cost> cost, long params,
                         Optional<MemoryFigures.Memory> memory, String note, boolean pareto, boolean yours) {

    /**
     * Tally's figures on the graph at {@code input}.
     *
     * @param macs              the multiply-accumulates whose number does not depend on the data: the whole count when
     *                          the graph has no data-dependent size; for a detection graph the backbone and its heads
     *                          (docs/conventions.md, "Data-dependent sizes")
     * @param flops             2 x {@code macs}
     * @param dataDependentMacs the rest, counted at the bounds the graph states (region proposals, boxes NMS keeps,
     *                          detections per image): at most this many more MACs run; empty when no size depends on
     *                          the data
     */
    public record Cost(long params, long macs, long flops, Optional<Long> dataDependentMacs) {
        /** A cost with no data-dependent part. */
        public Cost(long params, long macs, long flops) {
            this(params, macs, flops, Optional.empty());
        }

        /** The figures of a summary: the data-dependent part, when there is one, kept apart from the exact one. */
        public static Cost of(dev.tally.report.Summary summary) {
            dev.tally.report.Totals totals = summary.totals();
            dev.tally.report.DataDependence dependent = summary.dataDependence();
            if (!dependent.any()) {
                return new Cost(totals.params(), totals.macs(), totals.flops());
            }
            long exact = totals.macs() - dependent.macs();
            return new Cost(totals.params(), exact, Math.multiplyExact(2L, exact), Optional.of(dependent.macs()));
        }

        /** The most MACs the model can run: the exact part plus the data-dependent part's bound. */
        public long macsBound() {
            return macs + dataDependentMacs.orElse(0L);
        }
    }

    public CatalogRow withPareto(boolean onFront) {
        return new CatalogRow(entry, input, cost, params, memory, note, onFront, yours);
    }

    /** The exact MACs: the whole count, or the part that does not depend on the data ({@link Cost#macs()}). */
    public Optional<Long> macs() {
        return cost.map(Cost::macs);
    }

    public Optional<Long> flops() {
        return cost.map(Cost::flops);
    }

    /** The bound of the MACs that depend on the data, when some sizes do (detection). */
    public Optional<Long> dataDependentMacs() {
        return cost.flatMap(Cost::dataDependentMacs);
    }

    /** Whether some of the row's sizes depend on the data: its MACs beyond {@link #macs()} and its peak memory are bounds. */
    public boolean dataDependent() {
        return dataDependentMacs().isPresent();
    }

    /**
     * The most MACs the row can cost (the exact count, or the exact part plus the data-dependent bound): what {@code --sort
     * macs}, {@code --where} and the Pareto front compare, so that a bounded row is never taken for cheaper than it can be.
     */
    public Optional<Long> macsBound() {
        return cost.map(Cost::macsBound);
    }

    public Optional<Long> flopsBound() {
        return macsBound().map(m -> 2 * m);
    }

    public Optional<Long> peakActivationBytes() {
        return memory.map(MemoryFigures.Memory::peakActivationBytes);
    }

    /** The largest batch that fits {@code --memory}, when one was given and the row's graph runs at other batches. */
    public Optional<Long> fitBatch() {
        return memory.flatMap(m -> Optional.ofNullable(m.fitBatch()));
    }
}
