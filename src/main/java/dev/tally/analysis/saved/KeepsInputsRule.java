package dev.tally.analysis.saved;

import dev.tally.analysis.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops whose backward needs their input: convolution and linear keep the input (their weight is a parameter, stored
 * anyway); average and mean pooling keep the input ({@code AvgPool2DBackward0}, {@code MeanBackward1} save
 * {@code self}); hardtanh, GELU and hardswish keep the input; a product or matmul keeps both factors.
 */
public final class KeepsInputsRule implements SavedRule {
    private final boolean all;

    private KeepsInputsRule(boolean all) {
        this.all = all;
    }

    /** The first input only. */
    public static KeepsInputsRule first() {
        return new KeepsInputsRule(false);
    }

    /** Every input (constants and weights among them are not activations and are left out by the pass). */
    public static KeepsInputsRule all() {
        return new KeepsInputsRule(true);
    }

    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < (all ? inputs.size() : Math.min(1, inputs.size())); i++) {
            kept.add(i);
        }
        return new Kept(kept, List.of(), 0);
    }
}
