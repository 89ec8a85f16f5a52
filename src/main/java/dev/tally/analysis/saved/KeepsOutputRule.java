package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Ops whose gradient is a function of their result: ReLU ({@code ReluBackward0} saves {@code result}), sigmoid, tanh,
 * softmax, log-softmax, exp, sqrt.
 */
public final class KeepsOutputRule implements SavedRule {
    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        return new Kept(List.of(), List.of(0), 0);
    }
}
