package dev.tally.analysis;

import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.Optional;

/** What the shape pass knows of one value: its type and shape, and its values when they are small constants. */
public record TensorInfo(DType dtype, Shape shape, Optional<ConstData> data) {
    public TensorInfo {
        if (data.isPresent() && data.get().size() != shape.numel()) {
            throw new IllegalArgumentException("Values of a " + shape + " tensor hold " + data.get().size() + " elements.");
        }
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
