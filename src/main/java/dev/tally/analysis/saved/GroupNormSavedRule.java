package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Group norm keeps its input and, per (sample, group), the mean and the inverse standard deviation
 * ({@code NativeGroupNormBackward0} saves {@code input}, {@code weight}, {@code result1}, {@code result2}, each of the
 * last two {@code N x G} float32): {@code 2 * N * G * 4} new bytes.
 */
public final class GroupNormSavedRule implements SavedRule {
    private final long groups;

    GroupNormSavedRule(long groups) {
        this.groups = groups;
    }

    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        TensorInfo input = inputs.get(0);
        long batch = input.rank() == 0 ? 1 : input.shape().dim(0);
        return new Kept(List.of(0), List.of(), Math.multiplyExact(2 * 4L, Math.multiplyExact(batch, groups)));
    }
}
