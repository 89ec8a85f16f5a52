package dev.tally.budget;

import dev.tally.ir.UsageException;

/**
 * A batch that must fit in a memory: {@code tally check --fit-batch 256 --memory 16GiB [--by peak|largest]}, or the
 * keys {@code fit-batch}, {@code memory}, {@code fit-by} of a budget file. The memory at the batch is what
 * {@code tally fit} computes there ({@link BatchFit#bytesAt}: the shape pass re-run at that batch).
 *
 * @param memoryText the memory as written ({@code 16GiB}), shown beside the exact bytes in messages
 */
public record FitGate(long batch, long memory, String memoryText, BatchFit.By by) {
    public FitGate {
        if (batch < 1) {
            throw new IllegalArgumentException("A fit gate's batch must be at least 1: " + batch + ".");
        }
    }

    /**
     * Refuses {@code --mode training} (or the budget file's {@code fit-mode: training}) in one sentence: only inference
     * memory is modelled; {@code inference} is accepted.
     */
    public static void checkMode(String mode, String where) {
        if (mode == null || mode.strip().equalsIgnoreCase("inference")) {
            return;
        }
        if (mode.strip().equalsIgnoreCase("training")) {
            throw new UsageException(where + " training is not available: Tally does not model training memory yet, so only"
                    + " inference (the default) can be gated.");
        }
        throw new UsageException(where + " '" + mode + "' is not a mode; use inference (training is not modelled yet).");
    }

    /** How a test case names the limit: {@code 16GiB at batch 256 by peak}. */
    public String limitText() {
        return memoryText + " at batch " + batch + " by " + by.displayName();
    }
}
