package dev.tally.analysis;

import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.Optional;

/**
 * What the shape pass knows of one value: its type and shape, and its values when they are small constants.
 *
 * @param dataDependent whether the shape (or the values) depend on the data a run sees, not only on the input shapes:
 *                      a NonZero's count, what NonMaxSuppression keeps, and everything computed from them. The shape
 *                      and values are then those at the bound the op states (the most the op can produce), so every
 *                      size is an upper bound (docs/conventions.md, "Data-dependent sizes")
 */
public record TensorInfo(DType dtype, Shape shape, Optional<ConstData> data, boolean dataDependent) {
    public TensorInfo {
        if (data.isPresent() && data.get().size() != shape.numel()) {
            throw new IllegalArgumentException("Values of a " + shape + " tensor hold " + data.get().size() + " elements.");
        }
    }

    /** A value whose shape follows from the input shapes alone. */
    public TensorInfo(DType dtype, Shape shape, Optional<ConstData> data) {
        this(dtype, shape, data, false);
    }

    /** This value marked data-dependent: its shape and values are those at the bound. */
    public TensorInfo asDataDependent() {
        return dataDependent ? this : new TensorInfo(dtype, shape, data, true);
    }

    public static TensorInfo of(DType dtype, Shape shape) {
        return new TensorInfo(dtype, shape, Optional.empty());
    }

    public static TensorInfo constant(DType dtype, Shape shape, ConstData data) {
        return new TensorInfo(dtype, shape, Optional.of(data));
    }

    /** A 1-D int64 tensor with known values, as Shape and friends produce. */
    public static TensorInfo ints(long... values) {
        return constant(DType.INT64, Shape.of(values.length), ConstData.ofInts(values));
    }

    public int rank() {
        return shape.rank();
    }

    public long numel() {
        return shape.numel();
    }

    public boolean hasData() {
        return data.isPresent();
    }

    public TensorInfo withShape(Shape newShape) {
        return of(dtype, newShape);
    }

    public long bytes() {
        return Math.multiplyExact(numel(), dtype.byteSize());
    }
}
