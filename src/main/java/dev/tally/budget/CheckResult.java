package dev.tally.budget;

import java.util.Optional;

/**
 * The outcome of one limit on one model: one JUnit test case, one row of the report.
 *
 * @param max       the largest allowed value: the limit itself, or the baseline plus the allowed growth
 * @param limitText the limit as written ({@code 62M}) or the growth ({@code 2%})
 * @param baseline  the baseline value, for growth checks
 * @param message   one sentence naming the model, the figure, the limit, the actual value and the margin
 */
public record CheckResult(String model, Figure figure, Type type, long actual, long max, String limitText,
                          Optional<Long> baseline, Status status, String message) {

    /** An absolute limit ({@code --max-params}) or a growth limit over a baseline ({@code --max-growth}). */
    public enum Type { LIMIT, GROWTH }

    /**
     * {@code ERROR} is a figure within its limit that cannot be trusted to be: the model has ops without a rule,
     * so its counts are lower bounds.
     */
    public enum Status { PASS, FAIL, ERROR }

    /** How a test case is named: {@code params <= 62M}, {@code macs growth <= 2%}. */
    public String name() {
        return figure.displayName() + (type == Type.GROWTH ? " growth" : "") + " <= " + limitText;
    }

    /** By how much the figure is over its maximum; 0 or less when within. */
    public long excess() {
        return actual - max;
    }
}
