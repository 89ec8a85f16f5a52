package dev.tally.analysis;

import dev.tally.ir.Names;
import java.util.List;

/**
 * The optimizers whose state the training memory counts (docs/conventions.md, "Training memory"), as
 * {@code torch.optim} 1.13 keeps it per trainable parameter tensor.
 */
public enum Optimizer {
    /** {@code SGD(momentum=0)}: no state; the update is in place. */
    SGD("sgd", 0, false),
    /** {@code SGD(momentum>0)}: one momentum buffer the size of the parameter; the update is in place. */
    MOMENTUM("momentum", 1, false),
    /** {@code Adam}: exp_avg and exp_avg_sq, plus a float32 step counter; the step makes two temporaries. */
    ADAM("adam", 2, true),
    /** {@code AdamW}: as Adam (its weight decay is an in-place multiply). */
    ADAMW("adamw", 2, true);

    /** Bytes of the step counter Adam keeps per parameter tensor ({@code torch.tensor(0.)}, float32). */
    public static final long STEP_COUNTER_BYTES = 4;

    private final String displayName;
    private final int copies;
    private final boolean adaptive;

    Optimizer(String displayName, int copies, boolean adaptive) {
        this.displayName = displayName;
        this.copies = copies;
        this.adaptive = adaptive;
    }

    public String displayName() {
        return displayName;
    }

    /** How many tensors the size of each trainable parameter the optimizer keeps between steps. */
    public int copies() {
        return copies;
    }

    /**
     * Whether the step computes {@code denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)} per parameter
     * tensor: two temporaries the size of that tensor live at once (torch 1.13's single-tensor Adam, the CPU default).
     */
    public boolean stepTemporaries() {
        return adaptive;
    }

    /** The step counters: one float32 scalar tensor per trainable parameter tensor for Adam and AdamW. */
    public long counterBytes(long tensors) {
        return adaptive ? Math.multiplyExact(tensors, STEP_COUNTER_BYTES) : 0;
    }

    public static Optimizer parse(String text) {
        return Names.parse("optimizer", text, List.of(values()), Optimizer::displayName);
    }
}
