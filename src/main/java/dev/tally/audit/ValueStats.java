package dev.tally.audit;

/**
 * What {@code --values} finds in one tensor's elements. NaN and infinities are left out of min, max and mean.
 *
 * @param finite elements that are neither NaN nor infinite (min, max and mean are over these; NaN when none)
 */
public record ValueStats(long nan, long positiveInfinity, long negativeInfinity, long finite, double min, double max,
                         double mean) {
}
