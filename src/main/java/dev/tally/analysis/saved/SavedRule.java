package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.List;

/** What one op's backward keeps, as torch 1.13's autograd formulas (derivatives.yaml) save it on CPU. */
public interface SavedRule {
    /**
     * @param inputs  the node's inputs as the shape pass resolved them (null where absent)
     * @param outputs the node's resolved outputs
     */
    Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs);

    /**
     * The same, knowing which inputs need a gradient (activations and trainable params; not constants): a rule whose
     * backward saves an operand only for another operand's gradient overrides this.
     */
    default Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs, List<Boolean> needsGradient) {
        return kept(inputs, outputs);
    }

    /**
     * The same, knowing where each input's elements sit in its storage ({@link dev.tally.analysis.Strides}; null
     * where not known, taken as row-major): a rule whose op copies an input laid out otherwise than it needs and keeps
     * the copy (matmul's batched reshape) overrides this.
     */
    default Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs, List<Boolean> needsGradient, List<long[]> strides) {
        return kept(inputs, outputs, needsGradient);
    }
}
