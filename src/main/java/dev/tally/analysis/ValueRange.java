package dev.tally.analysis;

import dev.tally.ir.ConstData;
import java.util.Arrays;

/**
 * Bounds on the values of a tensor the shape pass does not know: every value lies in {@code [low[i], high[i]]}, either
 * one pair for every element (length 1) or one pair per element in row-major order (small tensors: a Resize's sizes).
 * An end may be infinite (not bounded on that side). Made from the clamps a graph applies (torchvision's boxes clipped
 * to the image) and carried through data movement and arithmetic by {@link ValueRanges} (docs/conventions.md,
 * "Value bounds").
 */
public record ValueRange(double[] low, double[] high) {
    /** Up to this many elements a range is kept per element; a larger tensor keeps one pair for all its elements. */
    static final int PER_ELEMENT = 64;

    public ValueRange {
        if (low.length != high.length || low.length == 0) {
            throw new IllegalArgumentException("A value range holds as many lower as upper bounds, at least one.");
        }
        low = low.clone();
        high = high.clone();
    }

    public static ValueRange of(double low, double high) {
        return new ValueRange(new double[] {low}, new double[] {high});
    }

    /** Each known value as its own bounds (one pair for all of them beyond {@value #PER_ELEMENT} elements). */
    public static ValueRange of(ConstData data) {
        int n = data.size();
        if (n == 0) {
            return of(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = data.doubleAt(i);
        }
        ValueRange each = new ValueRange(values, values);
        return n <= PER_ELEMENT ? each : each.union();
    }

    /** How many pairs: 1 (every element) or the element count. */
    public int size() {
        return low.length;
    }

    public double low(int element) {
        return low[low.length == 1 ? 0 : element];
    }

    public double high(int element) {
        return high[high.length == 1 ? 0 : element];
    }

    /** One pair that holds every element's bounds. */
    public ValueRange union() {
        if (low.length == 1) {
            return this;
        }
        return of(Arrays.stream(low).min().orElseThrow(), Arrays.stream(high).max().orElseThrow());
    }

    /** Whether every upper bound is finite. */
    public boolean boundedAbove() {
        return Arrays.stream(high).allMatch(Double::isFinite);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ValueRange r && Arrays.equals(low, r.low) && Arrays.equals(high, r.high);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(low) + Arrays.hashCode(high);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < low.length; i++) {
            out.append(i == 0 ? "" : ", ").append(format(low[i])).append("..").append(format(high[i]));
        }
        return out.append("]").toString();
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
