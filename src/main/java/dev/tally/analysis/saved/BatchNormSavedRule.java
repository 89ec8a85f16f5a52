package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Batch norm in train mode keeps its input and the batch's per-channel mean and inverse standard deviation
 * ({@code NativeBatchNormBackward0} saves {@code input}, {@code result1}, {@code result2}; weight and running
 * statistics are stored tensors): {@code 2 * C * 4} new bytes, float32 whatever the input's type, C = axis 1.
 */
public final class BatchNormSavedRule implements SavedRule {
    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        TensorInfo input = inputs.get(0);
        long channels = input.rank() > 1 ? input.shape().dim(1) : 1;
        return new Kept(List.of(0), List.of(), Math.multiplyExact(2 * 4L, channels));
    }
}
