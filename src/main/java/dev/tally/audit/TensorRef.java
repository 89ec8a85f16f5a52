package dev.tally.audit;

import java.util.List;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} would rebuild it, known only by its arguments.
 *
 * @param offset    first element of the view in its storage
 * @param parameter whether it was pickled as an {@code nn.Parameter}
 */
public record TensorRef(StorageRef storage, long offset, List<Long> shape, List<Long> stride, boolean parameter) {
    public TensorRef {
        shape = List.copyOf(shape);
        stride = List.copyOf(stride);
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long bytes() {
        return Math.multiplyExact(numel(), storage.dtype().byteSize());
    }

    public TensorRef asParameter() {
        return new TensorRef(storage, offset, shape, stride, true);
    }
}
