package dev.tally.budget;

import java.util.List;

/** The outcome of {@code tally check}: one entry per model, in the order given. */
public record CheckReport(List<ModelCheck> models) {
    /** Within every limit. */
    public static final int WITHIN = 0;
    /** Some figure over its limit. */
    public static final int EXCEEDED = 1;
    /** Some model could not be analysed, or a figure within its limit is only a lower bound. */
    public static final int BAD_INPUT = 2;

    public CheckReport {
        models = List.copyOf(models);
    }

    /**
     * 2 when any model is bad input (it wins: an unreadable model may be over budget too), else 1 when any limit
     * is exceeded, else 0.
     */
    public int exitCode() {
        if (models.stream().anyMatch(m -> m.error().isPresent() || m.count(CheckResult.Status.ERROR) > 0)) {
            return BAD_INPUT;
        }
        return failures() > 0 ? EXCEEDED : WITHIN;
    }

    public long checks() {
        return models.stream().mapToLong(m -> m.results().size()).sum();
    }

    public long failures() {
        return models.stream().mapToLong(m -> m.count(CheckResult.Status.FAIL)).sum();
    }

    /** Models that could not be analysed plus limits whose figures are lower bounds. */
    public long errors() {
        return models.stream().mapToLong(m -> m.count(CheckResult.Status.ERROR) + (m.error().isPresent() ? 1 : 0)).sum();
    }

    /** {@code 1 of 6 limits exceeded in 2 models.}, the last line of every text report. */
    public String verdict() {
        StringBuilder text = new StringBuilder();
        long failures = failures();
        long checks = checks();
        text.append(failures).append(" of ").append(checks).append(checks == 1 ? " limit" : " limits")
                .append(" exceeded").append(" in ").append(models.size())
                .append(models.size() == 1 ? " model" : " models");
        long errors = errors();
        if (errors > 0) {
            text.append("; ").append(errors).append(errors == 1 ? " error" : " errors");
        }
        return text.append(". Exit code ").append(exitCode()).append('.').toString();
    }
}
