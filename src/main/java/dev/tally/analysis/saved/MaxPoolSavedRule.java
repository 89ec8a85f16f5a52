package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Max pooling keeps its input and the int64 index of each output's maximum ({@code MaxPool2DWithIndicesBackward0}
 * saves {@code self} and {@code result1}): {@code 8 * numel(output)} new bytes.
 */
public final class MaxPoolSavedRule implements SavedRule {
    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        return new Kept(List.of(0), List.of(), Math.multiplyExact(outputs.get(0).numel(), 8L));
    }
}
