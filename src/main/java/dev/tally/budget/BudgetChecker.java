package dev.tally.budget;

import dev.tally.ir.TallyException;
import dev.tally.report.Summary;
import dev.tally.report.Units;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Checks models against their budgets; the analysis itself is passed in, so tests can use graphs built in code. */
public final class BudgetChecker {
    private final Function<ModelBudget, Summary> analyzer;
    private final java.util.function.ToLongBiFunction<ModelBudget, FitGate> fitMemory;

    /** @param analyzer the summary of a model with the budget's input shapes; throws {@link TallyException} on bad input */
    public BudgetChecker(Function<ModelBudget, Summary> analyzer) {
        this(analyzer, (budget, gate) -> {
            throw new IllegalStateException("No fit memory was given to check " + budget.label() + " at batch " + gate.batch() + ".");
        });
    }

    /**
     * @param fitMemory the memory of a model at a fit gate's batch by the gate's figure ({@link BatchFit#bytesAt});
     *                  throws {@link TallyException} on bad input
     */
    public BudgetChecker(Function<ModelBudget, Summary> analyzer, java.util.function.ToLongBiFunction<ModelBudget, FitGate> fitMemory) {
        this.analyzer = analyzer;
        this.fitMemory = fitMemory;
    }

    public CheckReport check(List<ModelBudget> budgets) {
        List<ModelCheck> checks = new ArrayList<>();
        for (ModelBudget budget : budgets) {
            checks.add(check(budget));
        }
        return new CheckReport(checks);
    }

    /** One model: analysed, then every limit; a model that cannot be read is an error entry, not an exception. */
    public ModelCheck check(ModelBudget budget) {
        Summary summary;
        long fileBytes;
        Optional<Long> atBatch = Optional.empty();
        try {
            summary = analyzer.apply(budget);
            fileBytes = Files.size(budget.file());
            if (budget.fit().isPresent()) {
                atBatch = Optional.of(fitMemory.applyAsLong(budget, budget.fit().get()));
            }
        } catch (TallyException e) {
            return ModelCheck.failed(budget.label(), e.getMessage());
        } catch (IOException e) {
            return ModelCheck.failed(budget.label(), budget.label() + " cannot be read (" + e.getMessage() + ").");
        }
        ModelCheck checked = evaluate(budget, summary, fileBytes);
        if (atBatch.isEmpty()) {
            return checked;
        }
        List<CheckResult> results = new ArrayList<>(checked.results());
        results.add(fit(budget.label(), budget.fit().get(), atBatch.get(), summary));
        return new ModelCheck(checked.model(), checked.summary(), checked.fileBytes(), results, checked.error());
    }

    /**
     * The fit gate: the memory at the gate's batch, in the words of the other limits:
     * {@code m.onnx: fit-memory at batch 769 by largest 12,901,679,104 B (12.0 GiB) is over the limit 12GiB (...) by ...}.
     */
    public static CheckResult fit(String model, FitGate gate, long actual, Summary summary) {
        Figure figure = Figure.FIT_MEMORY;
        String lowerBound = summary.isComplete() ? "" : lowerBoundReason(summary);
        CheckResult.Status status = status(actual, gate.memory(), figure, lowerBound);
        String exact = amount(figure, gate.memory());
        String limit = gate.memoryText().equals(exact) || gate.memoryText().equals(Long.toString(gate.memory()))
                ? exact : gate.memoryText() + " (" + exact + ")";
        String message = model + ": " + figure.displayName() + " at batch " + gate.batch() + " by " + gate.figureText()
                + " " + (actual == Long.MAX_VALUE ? "past 64 bits" : figure.format(actual));
        if (status == CheckResult.Status.FAIL) {
            message += " is over the limit " + limit + (actual == Long.MAX_VALUE ? "." : " by " + over(figure, actual, gate.memory()) + ".");
        } else {
            message += " is within the limit " + limit + spare(figure, actual, gate.memory(), status, lowerBound);
        }
        return new CheckResult(model, figure, CheckResult.Type.LIMIT, actual, gate.memory(), gate.limitText(),
                Optional.empty(), status, message);
    }

    /** The limits of {@code budget} on figures already known. */
    public static ModelCheck evaluate(ModelBudget budget, Summary summary, long fileBytes) {
        List<CheckResult> results = new ArrayList<>();
        String model = budget.label();
        String lowerBound = summary.isComplete() ? "" : lowerBoundReason(summary);
        for (Limit limit : budget.limits()) {
            Figure figure = limit.figure();
            long actual = figure.of(summary, fileBytes);
            CheckResult.Status status = status(actual, limit.max(), figure, lowerBound);
            String message = model + ": " + figure.displayName() + " " + figure.format(actual);
            if (status == CheckResult.Status.FAIL) {
                message += " is over the limit " + written(limit) + " by "
                        + over(figure, actual, limit.max()) + ".";
            } else {
                message += " is within the limit " + written(limit)
                        + spare(figure, actual, limit.max(), status, lowerBound);
            }
            results.add(new CheckResult(model, figure, CheckResult.Type.LIMIT, actual, limit.max(), limit.text(),
                    Optional.empty(), status, message));
        }
        for (GrowthLimit growth : budget.growth()) {
            Figure figure = growth.figure();
            Baseline baseline = budget.baseline().orElseThrow();
            long before = baseline.figure(figure).orElseThrow(() -> new IllegalArgumentException(
                    "The baseline " + baseline.path() + " has no " + figure.displayName() + "."));
            long actual = figure.of(summary, fileBytes);
            long max = growth.allowedMax(before);
            CheckResult.Status status = status(actual, max, figure, lowerBound);
            String caveat = baseline.caveat(summary);
            String message = model + ": " + figure.displayName() + " " + figure.format(actual) + " "
                    + change(before, actual) + " from the baseline " + figure.format(before)
                    + (caveat.isEmpty() || !(figure == Figure.PARAMS || figure == Figure.BUFFERS || figure == Figure.WEIGHT_BYTES)
                            ? "" : " (" + caveat + ")");
            if (status == CheckResult.Status.FAIL) {
                message += ", over the allowed growth of " + growth.text() + " (at most " + amount(figure, max) + ") by "
                        + over(figure, actual, max) + ".";
            } else {
                message += ", within the allowed growth of " + growth.text() + " (at most " + amount(figure, max) + ")"
                        + spare(figure, actual, max, status, lowerBound);
            }
            results.add(new CheckResult(model, figure, CheckResult.Type.GROWTH, actual, max, growth.text(),
                    Optional.of(before), status, message));
        }
        return new ModelCheck(model, Optional.of(summary), fileBytes, results, Optional.empty());
    }

    private static CheckResult.Status status(long actual, long max, Figure figure, String lowerBound) {
        if (actual > max) {
            // A lower bound over the limit is over it for certain.
            return CheckResult.Status.FAIL;
        }
        return lowerBound.isEmpty() || figure == Figure.FILE_SIZE ? CheckResult.Status.PASS : CheckResult.Status.ERROR;
    }

    private static String spare(Figure figure, long actual, long max, CheckResult.Status status, String lowerBound) {
        if (status == CheckResult.Status.ERROR) {
            return ", but " + lowerBound + ", so the figure is only a lower bound; add the missing rules or run 'tally summary' to see them.";
        }
        return max == actual ? ", exactly at it." : " with " + amount(figure, max - actual) + " (" + percentOf(max - actual, max) + ") to spare.";
    }

    /** {@code 14,188,480 (2.03%)}: the excess, and its share of the limit. */
    private static String over(Figure figure, long actual, long max) {
        long excess = actual - max;
        return amount(figure, excess) + " (" + (max == 0 ? "the limit is 0" : percentOf(excess, max)) + ")";
    }

    /** {@code grew 3.00%}, {@code shrank 1.20%}, {@code is unchanged}. */
    private static String change(long before, long after) {
        if (before == after) {
            return "is unchanged";
        }
        if (before == 0) {
            return "grew from 0";
        }
        String percent = percentOf(Math.abs(after - before), before);
        return (after > before ? "grew " : "shrank ") + percent;
    }

    /** {@code part / whole} in percent with two decimals: {@code 2.03%}. */
    static String percentOf(long part, long whole) {
        if (whole == 0) {
            return "n/a";
        }
        return BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(whole), 2, RoundingMode.HALF_UP).toPlainString() + "%";
    }

    private static String lowerBoundReason(Summary summary) {
        List<String> ops = new ArrayList<>();
        summary.unsupported().forEach(op -> ops.add(op.opType() + " x" + op.count()));
        StringBuilder reason = new StringBuilder("the model has nodes without a count");
        if (!ops.isEmpty()) {
            reason.append(" (no rule for ").append(String.join(", ", ops)).append(')');
        }
        return reason.toString();
    }

    /** {@code 62M (62,000,000)}; just {@code 0} when the limit was written as its exact value. */
    private static String written(Limit limit) {
        String exact = amount(limit.figure(), limit.max());
        return limit.text().equals(exact) || limit.text().equals(Long.toString(limit.max())) ? exact : limit.text() + " (" + exact + ")";
    }

    /** An amount in a message: exact, with {@code B} for byte figures. */
    private static String amount(Figure figure, long value) {
        return Units.exact(value) + (figure.kind() == Figure.Kind.BYTES ? " B" : "");
    }
}
