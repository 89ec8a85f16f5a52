package dev.tally.ir;

/** What a stored tensor is to the model; only PARAM and BUFFER are counted in the totals. */
public enum Role {
    /** A trainable parameter: what PyTorch's {@code model.parameters()} yields. */
    PARAM,
    /** State that is not trained: BatchNorm running statistics, {@code num_batches_tracked}. */
    BUFFER,
    /** A tensor the exporter made up (reshape targets, folded shape constants): neither params nor buffers. */
    CONSTANT
}
