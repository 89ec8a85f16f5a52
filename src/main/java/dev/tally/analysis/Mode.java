package dev.tally.analysis;

import dev.tally.ir.Names;
import java.util.List;

/** Which run of the model a memory figure is for: eval-mode inference, or one training step (docs/conventions.md). */
public enum Mode {
    /** Eval mode under no_grad: the peak and the largest activation. */
    INFERENCE("inference"),
    /** One training step: params, gradients, optimizer state, saved activations, backward transient. */
    TRAINING("training");

    private final String displayName;

    Mode(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** @param what how a miss names the option or key ({@code --mode}, {@code fit-mode}) */
    public static Mode parse(String what, String text) {
        return Names.parse(what, text, List.of(values()), Mode::displayName);
    }
}
