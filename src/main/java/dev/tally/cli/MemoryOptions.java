package dev.tally.cli;

import dev.tally.budget.BatchFit;
import dev.tally.budget.FitGate;
import picocli.CommandLine.Option;

/**
 * The memory options {@code tally fit} and {@code tally check --fit-batch} share: what must fit ({@code --mode},
 * {@code --by}, {@code --optimizer}) and in how much ({@code --memory}), read the same way by both.
 */
final class MemoryOptions {
    @Option(names = "--memory", paramLabel = "SIZE",
            description = "The memory available: KB, MB, GB = 1000^n or KiB, MiB, GiB = 1024^n (12GiB).")
    String memory;

    @Option(names = "--by", paramLabel = "FIGURE",
            description = "In inference, peak: weights plus peak activations (the default); largest: the largest single "
                    + "activation (the network-bottleneck convention).")
    String by;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "inference (the default) or training: one training step (params, gradients, optimizer state, "
                    + "saved activations, backward transient; docs/conventions.md).")
    String mode;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "With --mode training, whose state is counted: sgd, momentum, adam (the default) or adamw.")
    String optimizer;

    /** Whether any of these options was given. */
    boolean given() {
        return memory != null || by != null || mode != null || optimizer != null;
    }

    /** The figure and optimizer these options choose; a --by in training or an --optimizer in inference is refused. */
    FitGate.Choice choice() {
        return FitGate.Choice.of(mode, by, optimizer);
    }

    /** The memory in bytes, as typed: {@code 12GiB}. */
    long bytes() {
        return BatchFit.parseMemory(memory);
    }
}
