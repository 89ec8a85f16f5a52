package dev.tally.analysis;

import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Optional;

/**
 * What the shape pass knows of one value: its type and shape, and its values when they are small constants.
 *
 * @param dataDependent whether the shape (or the values) depend on the data a run sees, not only on the input shapes:
 *                      a NonZero's count, what NonMaxSuppression keeps, and everything computed from them. The shape
 *                      and values are then those at the bound the op states (the most the op can produce), so every
 *                      size is an upper bound (docs/conventions.md, "Data-dependent sizes")
 */
public record TensorInfo(DType dtype, Shape shape, Optional<ConstData> data, boolean dataDependent,
                         Optional<List<TensorInfo>> elements, Optional<ValueRange> range) {
    public TensorInfo {
        if (data.isPresent() && data.get().size() != shape.numel()) {
            throw new IllegalArgumentException("Values of a " + shape + " tensor hold " + data.get().size() + " elements.");
        }
        elements = elements.map(List::copyOf);
        if (range.isPresent() && range.get().size() != 1 && range.get().size() != shape.numel()) {
            throw new IllegalArgumentException("Value bounds of a " + shape + " tensor hold " + range.get().size() + " elements.");
        }
    }

    /** A tensor or sequence without value bounds. */
    public TensorInfo(DType dtype, Shape shape, Optional<ConstData> data, boolean dataDependent,
                      Optional<List<TensorInfo>> elements) {
        this(dtype, shape, data, dataDependent, elements, Optional.empty());
    }

    /** A tensor, whose shape is data-dependent or not. */
    public TensorInfo(DType dtype, Shape shape, Optional<ConstData> data, boolean dataDependent) {
        this(dtype, shape, data, dataDependent, Optional.empty());
    }

    /** A value whose shape follows from the input shapes alone. */
    public TensorInfo(DType dtype, Shape shape, Optional<ConstData> data) {
        this(dtype, shape, data, false);
    }

    /**
     * An ONNX sequence (SequenceEmpty, SequenceInsert, SplitToSequence) of a length the shape pass knows: its tensors,
     * in order, all of {@code dtype}. A sequence holds no bytes of its own (shape {@code [0]}): its tensors are counted
     * where they are made.
     */
    public static TensorInfo sequence(DType dtype, List<TensorInfo> elements, boolean dataDependent) {
        return new TensorInfo(dtype, Shape.of(0), Optional.empty(), dataDependent, Optional.of(elements));
    }

    public boolean isSequence() {
        return elements.isPresent();
    }

    /** This value marked data-dependent: its shape and values are those at the bound. */
    public TensorInfo asDataDependent() {
        return dataDependent ? this : new TensorInfo(dtype, shape, data, true,
                elements.map(list -> list.stream().map(TensorInfo::asDataDependent).toList()), range);
    }

    /**
     * This tensor with bounds on its values, which the shape pass does not know (a box coordinate clamped to the image):
     * docs/conventions.md, "Value bounds".
     */
    public TensorInfo withRange(ValueRange bounds) {
        return new TensorInfo(dtype, shape, data, dataDependent, elements, Optional.of(bounds));
    }

    /**
     * What is known of this tensor's values: each value when the shape pass knows them (a data-dependent value's are
     * those at the bound, as everywhere in the shape pass), else the bounds it carries, else nothing.
     */
    public Optional<ValueRange> valueRange() {
        if (data.isPresent() && !isSequence()) {
            return Optional.of(ValueRange.of(data.get()));
        }
        return range;
    }

    /** The same type and shape (and, for a sequence, the same tensors) with no values known. */
    public TensorInfo withoutValues() {
        return new TensorInfo(dtype, shape, Optional.empty(), dataDependent,
                elements.map(list -> list.stream().map(TensorInfo::withoutValues).toList()));
    }

    /** Whether both have the same type and shape, and for sequences the same tensors' types and shapes. */
    public boolean sameType(TensorInfo other) {
        if (dtype != other.dtype || !shape.equals(other.shape) || isSequence() != other.isSequence()) {
            return false;
        }
        if (!isSequence()) {
            return true;
        }
        List<TensorInfo> mine = elements.get();
        List<TensorInfo> theirs = other.elements.get();
        if (mine.size() != theirs.size()) {
            return false;
        }
        for (int i = 0; i < mine.size(); i++) {
            if (!mine.get(i).sameType(theirs.get(i))) {
                return false;
            }
        }
        return true;
    }

    public static TensorInfo of(DType dtype, Shape shape) {
        return new TensorInfo(dtype, shape, Optional.empty());
    }

    /** Whether this equals {@code of(dtype(), shape())}: no values, bounds or elements, and not data-dependent. */
    public boolean isPlain() {
        return data.isEmpty() && !dataDependent && elements.isEmpty() && range.isEmpty();
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
