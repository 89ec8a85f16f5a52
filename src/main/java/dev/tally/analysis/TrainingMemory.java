package dev.tally.analysis;

import java.util.List;

/**
 * The memory of one training step at the analysed batch (docs/conventions.md, "Training memory"):
 * {@code params + gradients + optimizerState + max(savedActivations + backwardTransient, optimizerStepTransient)}.
 *
 * @param optimizer              whose state is counted
 * @param params                 bytes of the params and buffers
 * @param gradients              bytes of the trainable params: one gradient each, kept between steps
 * @param optimizerState         what the optimizer keeps between steps (sgd 0, momentum 1x, adam/adamw 2x the trainable
 *                               param bytes, plus Adam's float32 step counter per tensor)
 * @param savedActivations       the bytes of the unique tensors autograd saves for backward during the forward
 * @param backwardTransient      the most bytes one node's backward makes at once: the gradients of its outputs and of
 *                               its activation inputs and trainable params
 * @param optimizerStepTransient the temporaries of one optimizer step (Adam: twice the largest trainable param tensor)
 * @param unmodelledOps          op types with no saved-for-backward rule, whose saved tensors are not counted
 */
public record TrainingMemory(Optimizer optimizer, long params, long gradients, long optimizerState,
                             long savedActivations, long backwardTransient, long optimizerStepTransient,
                             List<String> unmodelledOps) {
    /** No training figure (layer rows, a summary read back from JSON). */
    public static final TrainingMemory NONE = new TrainingMemory(Optimizer.ADAM, 0, 0, 0, 0, 0, 0, List.of());

    public TrainingMemory {
        unmodelledOps = List.copyOf(unmodelledOps);
        if (params < 0 || gradients < 0 || optimizerState < 0 || savedActivations < 0 || backwardTransient < 0
                || optimizerStepTransient < 0) {
            throw new IllegalArgumentException("Training memory cannot be negative.");
        }
    }

    /** The whole figure: weights, gradients and state all step long, plus the larger of the two phases' activations. */
    public long total() {
        long steady = Math.addExact(Math.addExact(params, gradients), optimizerState);
        return Math.addExact(steady, Math.max(Math.addExact(savedActivations, backwardTransient), optimizerStepTransient));
    }

    public boolean isNone() {
        return this.equals(NONE);
    }
}
