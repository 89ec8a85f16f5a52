package dev.tally.catalog;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.MemoryPass;
import java.util.Optional;

/**
 * Peak activation memory and the largest batch that fits, for the catalog's optional columns.
 *
 * <p>The one place these figures enter the catalog. {@link #STANDARD} gives the inference peak of
 * {@link MemoryPass} (docs/conventions.md, Part 3) at the row's input; the largest batch in a {@code --memory}
 * budget is not computed for catalog rows yet (it needs the shape pass re-run per batch, as {@code tally fit}
 * does on a file), so it stays absent.
 */
public interface MemoryFigures {
    /** The inference peak at the row's input; no largest batch. */
    MemoryFigures STANDARD = (analysis, memoryBytes) ->
            Optional.of(new Memory(MemoryPass.run(analysis).peakBytes(), null));

    /**
     * @param analysis    the row's analysis at its input
     * @param memoryBytes the {@code --memory} budget, or null when none was given
     */
    Optional<Memory> of(Analysis analysis, Long memoryBytes);

    /**
     * @param peakActivationBytes the most activation bytes alive at once during a forward pass
     * @param largestBatch        the largest batch that fits in {@code --memory}, or null without it
     */
    record Memory(long peakActivationBytes, Long largestBatch) {
    }
}
