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

    /** Tally's figures on the graph at {@code input}. */
    public record Cost(long params, long macs, long flops) {
    }

    public CatalogRow withPareto(boolean onFront) {
        return new CatalogRow(entry, input, cost, params, memory, note, onFront, yours);
    }

    public Optional<Long> macs() {
        return cost.map(Cost::macs);
    }

    public Optional<Long> flops() {
        return cost.map(Cost::flops);
    }

    public Optional<Long> peakActivationBytes() {
        return memory.map(MemoryFigures.Memory::peakActivationBytes);
    }

    /** The largest batch that fits {@code --memory}, when one was given and the row's graph runs at other batches. */
    public Optional<Long> fitBatch() {
        return memory.flatMap(m -> Optional.ofNullable(m.fitBatch()));
    }
}
