package dev.tally.ir;

import java.util.ArrayList;
import java.util.List;

/** A fully known tensor shape. A scalar has rank 0 and one element. */
public record Shape(List<Long> dims) {
    public Shape {
        dims = List.copyOf(dims);
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("A shape cannot have a negative dimension: " + dims + ".");
            }
        }
    }

    // equals and hashCode written out: a record's own are made through method handles on first use, classes no JVM
    // class archive holds, and every cold run compares shapes (about 7 classes spun, a few ms of a summary).
    @Override
    public boolean equals(Object other) {
        return other instanceof Shape shape && dims.equals(shape.dims);
    }

    @Override
    public int hashCode() {
        return dims.hashCode();
    }

    public static Shape of(long... sizes) {
        List<Long> list = new ArrayList<>(sizes.length);
        for (long s : sizes) {
            list.add(s);
        }
        return new Shape(list);
    }

    public static Shape scalar() {
        return new Shape(List.of());
    }

    public int rank() {
        return dims.size();
    }

    /** Size of axis {@code axis}; negative axes count from the end, as in PyTorch and ONNX. */
    public long dim(int axis) {
        return dims.get(normalizeAxis(axis));
    }

    /** Turns a possibly negative axis into an index in {@code [0, rank)}. */
    public int normalizeAxis(int axis) {
        int normalized = axis < 0 ? axis + rank() : axis;
        if (normalized < 0 || normalized >= rank()) {
            throw new IllegalArgumentException("Axis " + axis + " is out of range for a tensor of rank " + rank() + ".");
        }
        return normalized;
    }

    /** Number of elements, with overflow checked. */
    public long numel() {
        long n = 1;
        // By index: an iterator per call was 160 MB of garbage on issue 14's million-node chain.
        for (int i = 0; i < dims.size(); i++) {
            n = Math.multiplyExact(n, dims.get(i));
        }
        return n;
    }

    public long[] toArray() {
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The shape as users write it: {@code 1x3x224x224}; a scalar is {@code scalar}. */
    public String toDisplayString() {
        if (dims.isEmpty()) {
            return "scalar";
        }
        // A loop, not a stream: a million-row table spent a tenth of its time in this method's stream machinery.
        StringBuilder text = new StringBuilder(4 * dims.size());
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) {
                text.append('x');
            }
            text.append(dims.get(i).longValue());
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return toDisplayString();
    }
}
