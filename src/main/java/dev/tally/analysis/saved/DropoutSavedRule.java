package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Dropout in train mode keeps its mask. On CPU torch 1.13 draws it as a tensor of the input's size and type
 * ({@code noise = empty_like(input).bernoulli_(1 - p).div_(1 - p)}; {@code input * noise} then saves
 * {@code noise}, {@code MulBackward0.other}); the one-byte mask of {@code native_dropout} is CUDA's path.
 */
public final class DropoutSavedRule implements SavedRule {
    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        return identity(inputs) ? Kept.NOTHING : new Kept(List.of(), List.of(), inputs.get(0).bytes());
    }

    /**
     * Whether the Dropout's ratio is a known zero (ONNX's {@code ratio} input; swin_t's attention dropout): torch 1.13
     * returns the input itself then, in train mode too, so there is no mask and no new tensor.
     */
    public static boolean identity(List<TensorInfo> inputs) {
        return inputs.size() > 1 && inputs.get(1) != null && inputs.get(1).data().isPresent()
                && inputs.get(1).data().get().size() == 1 && inputs.get(1).data().get().doubleAt(0) == 0.0;
    }
}
