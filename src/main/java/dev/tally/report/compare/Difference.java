package dev.tally.report.compare;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * A figure of one model against the same figure of the first model.
 *
 * @param percent {@code 100 * absolute / base} with two decimals (half up); 0 when both are 0; empty when only
 *                the base is 0 (no percentage of nothing), where the absolute difference still says how much
 */
public record Difference(long absolute, Optional<BigDecimal> percent) {

    public static Difference between(long base, long value) {
        long absolute = Math.subtractExact(value, base);
        Optional<BigDecimal> percent = base == 0
                ? (value == 0 ? Optional.of(BigDecimal.ZERO.setScale(2)) : Optional.empty())
                : Optional.of(BigDecimal.valueOf(absolute).multiply(BigDecimal.valueOf(100))
                        .divide(BigDecimal.valueOf(base), 2, RoundingMode.HALF_UP));
        return new Difference(absolute, percent);
    }

    /** {@code +8,448 (+0.01%)}, {@code 0 (0.00%)}, {@code -1,024 (-0.50%)}, {@code +5 (n/a)}. */
    public String display() {
        String sign = absolute > 0 ? "+" : "";
        String pct = percent.map(p -> (p.signum() > 0 ? "+" : "") + p.toPlainString() + "%").orElse("n/a");
        return sign + dev.tally.report.Units.exact(absolute) + " (" + pct + ")";
    }
}
