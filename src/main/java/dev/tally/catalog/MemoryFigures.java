package dev.tally.catalog;

import dev.tally.analysis.Analysis;
import java.util.Optional;

/**
 * Peak activation memory and the largest batch that fits, for the catalog's optional columns.
 *
 * <p>The one place these figures enter the catalog: the memory work (peak activation bytes and the
 * {@code --memory} fit) plugs its computation in here, in {@link #STANDARD}; until then every row shows them as
 * absent and the HTML report's second chart plots params instead, and says so.
 */
public interface MemoryFigures {
    /** No memory figures yet. */
    MemoryFigures STANDARD = (analysis, memoryBytes) -> Optional.empty();

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
