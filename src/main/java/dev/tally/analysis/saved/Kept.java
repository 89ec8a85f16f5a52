package dev.tally.analysis.saved;

import java.util.List;

/**
 * What one node's backward keeps: some of its inputs, some of its outputs (by position; a weight or a constant among
 * them is not an activation and is not counted), and tensors the op makes only to keep them (max-pool's indices,
 * batch norm's per-channel statistics, dropout's mask).
 *
 * @param freshBytes the bytes of those new tensors
 */
public record Kept(List<Integer> inputs, List<Integer> outputs, long freshBytes) {
    public static final Kept NOTHING = new Kept(List.of(), List.of(), 0);

    public Kept {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (freshBytes < 0) {
            throw new IllegalArgumentException("Kept bytes cannot be negative: " + freshBytes + ".");
        }
    }
}
