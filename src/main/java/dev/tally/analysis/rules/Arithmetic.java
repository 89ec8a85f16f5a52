package dev.tally.analysis.rules;

/** A scalar function of two values, on integers (exact, as ONNX integer kernels) and on floating values. */
interface Arithmetic {
    long ofLongs(long a, long b);

    double ofDoubles(double a, double b);

    /** Whether the result is a bool (comparisons and logic), whatever the inputs' type. */
    default boolean isPredicate() {
        return false;
    }

    static Arithmetic of(java.util.function.LongBinaryOperator longs, java.util.function.DoubleBinaryOperator doubles) {
        return new Arithmetic() {
            @Override
            public long ofLongs(long a, long b) {
                return longs.applyAsLong(a, b);
            }

            @Override
            public double ofDoubles(double a, double b) {
                return doubles.applyAsDouble(a, b);
            }
        };
    }

    /** A comparison or logical function; the result is 1 for true and 0 for false. */
    static Arithmetic predicate(java.util.function.LongBinaryOperator longs, java.util.function.DoubleBinaryOperator doubles) {
        return new Arithmetic() {
            @Override
            public long ofLongs(long a, long b) {
                return longs.applyAsLong(a, b);
            }

            @Override
            public double ofDoubles(double a, double b) {
                return doubles.applyAsDouble(a, b);
            }

            @Override
            public boolean isPredicate() {
                return true;
            }
        };
    }
}
