package dev.tally.ir;

import java.util.Optional;

/** A named graph input or output with the type the model declares for it (absent when the file declares none). */
public record Value(String name, Optional<TensorType> type) {
    public Value {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A value needs a name.");
        }
    }

    public Value(String name, TensorType type) {
        this(name, Optional.of(type));
    }
}
