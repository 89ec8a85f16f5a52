package dev.tally.ir;

import java.util.Optional;

/**
 * A named graph input or output with the type the model declares for it (absent when the file declares none).
 *
 * @param inList whether the model's code takes this input as the one item of a list: a TorchScript {@code forward}
 *               parameter annotated {@code List[Tensor]} (torchvision's detection models, one image per item). Tally
 *               counts the model on that one tensor, and {@code verify} hands the engine a one-item list.
 */
public record Value(String name, Optional<TensorType> type, boolean inList) {
    public Value {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A value needs a name.");
        }
    }

    public Value(String name, Optional<TensorType> type) {
        this(name, type, false);
    }

    public Value(String name, TensorType type) {
        this(name, Optional.of(type));
    }
}
