package dev.tally.analysis;

import dev.tally.ir.Names;
import java.util.List;

/**
 * The three counts Tally reports, each defined exactly (see docs/conventions.md). This is the one place
 * that says what a MAC, a FLOP and an op are.
 */
public enum Convention {
    /** One multiply followed by one add; conv, linear and matmul only; bias not counted (fvcore, torchvision). */
    MACS("macs", "multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul; bias not counted"),
    /** Two per MAC, node by node (PyTorch's FlopCounterMode). */
    FLOPS("flops", "2 x macs: a multiply and an add are two floating-point operations"),
    /** Every elementary operation once, a multiply-accumulate as one and a bias add as one more (the worksheet). */
    OPS("ops", "every arithmetic and comparison operation once; a multiply-accumulate is one, a bias add one more");

    private final String displayName;
    private final String definition;

    Convention(String displayName, String definition) {
        this.displayName = displayName;
        this.definition = definition;
    }

    public String displayName() {
        return displayName;
    }

    /** One line that says what the count means. */
    public String definition() {
        return definition;
    }

    /** The count of {@code cost} under this convention. */
    public long of(Cost cost) {
        return switch (this) {
            case MACS -> cost.macs();
            case FLOPS -> Math.multiplyExact(2L, cost.macs());
            case OPS -> cost.ops();
        };
    }

    public static Convention parse(String name) {
        return Names.parse("convention", name, List.of(values()), Convention::displayName);
    }
}
