package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Layer norm keeps its input and, per normalised row, the mean and the inverse standard deviation
 * ({@code NativeLayerNormBackward0} saves {@code input}, {@code result1}, {@code result2}); the rows are every element
 * of the input but its last axis (PyTorch's {@code normalized_shape} of one axis, as the exporters write it):
 * {@code 2 * rows * 4} new bytes.
 */
public final class LayerNormSavedRule implements SavedRule {
    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        TensorInfo input = inputs.get(0);
        long last = input.rank() == 0 ? 1 : input.shape().dim(input.rank() - 1);
        long rows = last == 0 ? 0 : input.numel() / last;
        return new Kept(List.of(0), List.of(), Math.multiplyExact(2 * 4L, rows));
    }
}
