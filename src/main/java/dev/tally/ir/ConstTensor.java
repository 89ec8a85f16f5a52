package dev.tally.ir;

/** A constant tensor whose values are known: a Constant node's value or a small integer initializer. */
public record ConstTensor(DType dtype, Shape shape, ConstData data) {
    public ConstTensor {
        if (data.size() != shape.numel()) {
            throw new IllegalArgumentException("Constant of shape " + shape + " holds " + data.size() + " values.");
        }
    }
}
