package dev.tally.load.pytorch;

import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * A tensor rebuilt from a pickle ({@code torch._utils._rebuild_tensor_v2}): a view of a storage by offset,
 * sizes and strides. Two tensors are the same weight when they share storage key, offset, sizes and strides.
 */
public record TensorRef(StorageRef storage, long offset, List<Long> sizes, List<Long> strides, boolean requiresGrad) {
    public TensorRef {
        sizes = List.copyOf(sizes);
        strides = List.copyOf(strides);
    }

    public Shape shape() {
        return new Shape(sizes);
    }

    public DType dtype() {
        return storage.dtype();
    }

    public TensorRef withRequiresGrad(boolean value) {
        return new TensorRef(storage, offset, sizes, strides, value);
    }
}
