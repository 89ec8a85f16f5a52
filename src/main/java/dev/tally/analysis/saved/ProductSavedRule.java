package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A product or a quotient of two tensors keeps only what the gradients of the operands that need one use
 * (derivatives.yaml): {@code a * b} keeps b when a needs a gradient and a when b does ({@code MulBackward0} saves
 * {@code other} and {@code self} that way), so a product with a constant keeps nothing of the activation;
 * {@code a / b} keeps b when either needs a gradient and a when b does ({@code DivBackward0}). An operand needs a
 * gradient when it is an activation or a trainable param; a constant does not.
 */
public final class ProductSavedRule implements SavedRule {
    private final boolean quotient;

    private ProductSavedRule(boolean quotient) {
        this.quotient = quotient;
    }

    /** Mul. */
    public static ProductSavedRule product() {
        return new ProductSavedRule(false);
    }

    /** Div. */
    public static ProductSavedRule quotient() {
        return new ProductSavedRule(true);
    }

    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        return KeepsInputsRule.all().kept(inputs, outputs);
    }

    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs, List<Boolean> needsGradient) {
        if (inputs.size() != 2 || needsGradient.size() != 2) {
            return kept(inputs, outputs);
        }
        boolean a = needsGradient.get(0);
        boolean b = needsGradient.get(1);
        List<Integer> kept = new ArrayList<>();
        if (b) {
            kept.add(0);
        }
        if (quotient ? (a || b) : a) {
            kept.add(1);
        }
        return new Kept(kept, List.of(), 0);
    }
}
