package dev.tally.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How much a figure may grow over its baseline, in percent: the check passes when the figure is at most
 * {@code floor(baseline * (100 + percent) / 100)}. A growth of {@code 0%} forbids any growth; a figure that
 * shrank always passes.
 */
public record GrowthLimit(Figure figure, BigDecimal percent) {
    public GrowthLimit {
        if (percent.signum() < 0) {
            throw new IllegalArgumentException("A growth limit cannot be negative: " + percent + ".");
        }
        percent = percent.stripTrailingZeros();
    }

    /** The largest value allowed for a figure whose baseline is {@code baseline}. */
    public long allowedMax(long baseline) {
        return BigDecimal.valueOf(baseline).multiply(BigDecimal.valueOf(100).add(percent))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR).longValueExact();
    }

    /** {@code 2%}, {@code 0.5%}. */
    public String text() {
        return percent.toPlainString() + "%";
    }
}
