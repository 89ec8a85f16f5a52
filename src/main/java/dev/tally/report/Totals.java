package dev.tally.report;

import dev.tally.analysis.Convention;
import dev.tally.analysis.TrainingMemory;

/**
 * The model's figures, each defined in docs/conventions.md.
 *
 * @param params          trainable parameter elements, each stored tensor once
 * @param buffers         buffer elements (BatchNorm running statistics)
 * @param paramBytes      bytes of params and buffers together
 * @param flops           {@code 2 * macs}, node by node
 * @param activationBytes bytes of every output computed at run time
 * @param largestActivationBytes the largest single tensor computed at run time; not a sum, so layer rows carry 0
 * @param peakActivationBytes    the most activation bytes live at once in inference (the memory pass); not a sum
 * @param frozenParams    the part of {@code params} that does not require grad (torchinfo's "Non-trainable params")
 * @param training        the memory of a training step at the analysed batch, with its parts; a whole-model fact,
 *                        {@link TrainingMemory#NONE} in layer rows
 */
public record Totals(long params, long buffers, long paramBytes, long macs, long flops, long ops,
                     long activationBytes, long largestActivationBytes, long peakActivationBytes, long frozenParams,
                     TrainingMemory training) {
    public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0);

    public Totals {
        training = training == null ? TrainingMemory.NONE : training;
        if (params < 0 || buffers < 0 || paramBytes < 0 || macs < 0 || flops < 0 || ops < 0 || activationBytes < 0
                || largestActivationBytes < 0 || peakActivationBytes < 0 || frozenParams < 0) {
            throw new IllegalArgumentException("Totals cannot be negative.");
        }
        if (frozenParams > params) {
            throw new IllegalArgumentException("Frozen params (" + frozenParams + ") cannot exceed params (" + params + ").");
        }
    }

    /** Figures without a training figure. */
    public Totals(long params, long buffers, long paramBytes, long macs, long flops, long ops,
                  long activationBytes, long largestActivationBytes, long peakActivationBytes, long frozenParams) {
        this(params, buffers, paramBytes, macs, flops, ops, activationBytes, largestActivationBytes, peakActivationBytes,
                frozenParams, TrainingMemory.NONE);
    }

    /** The training figure's total: {@code trainingBytes} in the JSON; 0 when there is none. */
    public long trainingBytes() {
        return training.isNone() ? 0 : training.total();
    }

    /** These totals with the training memory at the analysed batch. */
    public Totals withTraining(TrainingMemory memory) {
        return new Totals(params, buffers, paramBytes, macs, flops, ops, activationBytes, largestActivationBytes,
                peakActivationBytes, frozenParams, memory);
    }

    /** Layer figures: some params may be frozen, no whole-model memory figures. */
    public Totals(long params, long buffers, long paramBytes, long macs, long flops, long ops, long activationBytes,
                  long frozenParams) {
        this(params, buffers, paramBytes, macs, flops, ops, activationBytes, 0, 0, frozenParams);
    }

    /** Whole-model figures with every param trainable. */
    public Totals(long params, long buffers, long paramBytes, long macs, long flops, long ops, long activationBytes,
                  long largestActivationBytes, long peakActivationBytes) {
        this(params, buffers, paramBytes, macs, flops, ops, activationBytes, largestActivationBytes, peakActivationBytes, 0);
    }

    /** The params that require grad: torchinfo's "Trainable params". */
    public long trainableParams() {
        return params - frozenParams;
    }

    /** The figures that add up over layers, every param trainable, without the memory-model figures. */
    public Totals(long params, long buffers, long paramBytes, long macs, long flops, long ops, long activationBytes) {
        this(params, buffers, paramBytes, macs, flops, ops, activationBytes, 0, 0, 0);
    }

    /** These totals with the figures of the memory pass, which are whole-model facts, not layer sums. */
    public Totals withMemory(long largest, long peak) {
        return new Totals(params, buffers, paramBytes, macs, flops, ops, activationBytes, largest, peak, frozenParams, training);
    }

    /** These totals without the whole-model memory figures: what the layer rows must sum to. */
    public Totals additive() {
        return new Totals(params, buffers, paramBytes, macs, flops, ops, activationBytes, frozenParams);
    }

    /** The sum of this and {@code other}; an overflow throws {@link ArithmeticException}, never wraps. */
    public Totals plus(Totals other) {
        return new Totals(Math.addExact(params, other.params), Math.addExact(buffers, other.buffers),
                Math.addExact(paramBytes, other.paramBytes), Math.addExact(macs, other.macs),
                Math.addExact(flops, other.flops), Math.addExact(ops, other.ops),
                Math.addExact(activationBytes, other.activationBytes),
                Math.max(largestActivationBytes, other.largestActivationBytes),
                Math.max(peakActivationBytes, other.peakActivationBytes),
                Math.addExact(frozenParams, other.frozenParams),
                other.trainingBytes() > trainingBytes() ? other.training : training);
    }

    /** The count {@code convention} names: macs, flops or ops. */
    public long count(Convention convention) {
        return switch (convention) {
            case MACS -> macs;
            case FLOPS -> flops;
            case OPS -> ops;
        };
    }
}
