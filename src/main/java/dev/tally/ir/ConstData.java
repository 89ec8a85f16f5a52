package dev.tally.ir;

import java.util.Arrays;

/**
 * The values of a small constant tensor: shape computations (Shape, Gather, Concat, Reshape targets)
 * and scalar constants. Weights never become ConstData; the loaders read values only for small tensors.
 * Exactly one of {@code ints} (integer and bool types) or {@code floats} (floating types) is set.
 */
public record ConstData(long[] ints, double[] floats) {
    public ConstData {
        if ((ints == null) == (floats == null)) {
            throw new IllegalArgumentException("ConstData holds either integers or floats.");
        }
        ints = ints == null ? null : ints.clone();
        floats = floats == null ? null : floats.clone();
    }

    public static ConstData ofInts(long... values) {
        return new ConstData(values, null);
    }

    public static ConstData ofFloats(double... values) {
        return new ConstData(null, values);
    }

    public boolean isIntegral() {
        return ints != null;
    }

    public int size() {
        return ints != null ? ints.length : floats.length;
    }

    /** Value {@code i} as a long (floats are truncated toward zero, as a Cast to int64 does). */
    public long longAt(int i) {
        return ints != null ? ints[i] : (long) floats[i];
    }

    /** Value {@code i} as a double. */
    public double doubleAt(int i) {
        return ints != null ? ints[i] : floats[i];
    }

    @Override
    public long[] ints() {
        return ints == null ? null : ints.clone();
    }

    @Override
    public double[] floats() {
        return floats == null ? null : floats.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConstData that && Arrays.equals(ints, that.ints) && Arrays.equals(floats, that.floats);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ints) + Arrays.hashCode(floats);
    }

    @Override
    public String toString() {
        return ints != null ? Arrays.toString(ints) : Arrays.toString(floats);
    }
}
