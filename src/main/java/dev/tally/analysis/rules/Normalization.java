package dev.tally.analysis.rules;

/** The one formula for mean-and-variance normalisation that LayerNormalization and InstanceNormalization share. */
final class Normalization {
    private Normalization() {
    }

    /**
     * {@code rows * (5n + 2) + affine}: per row of {@code n} elements, the mean (n - 1 adds, 1 divide), the
     * subtraction (n), the squares (n), the variance (n - 1 adds, 1 divide), eps and square root (2), the division
     * (n); {@code affine} adds the per-element scale and bias operations.
     */
    static long ops(long rows, long n, long affine) {
        long perRow = Math.addExact(Math.multiplyExact(5, n), 2);
        return Math.addExact(Math.multiplyExact(rows, perRow), affine);
    }
}
