package dev.tally.budget;

import dev.tally.report.Summary;
import java.util.List;
import java.util.Optional;

/**
 * Every limit checked on one model, or why the model could not be analysed at all.
 *
 * @param error the one-sentence message of a model that could not be read or analysed; then {@code summary} is
 *              empty and {@code results} lists nothing
 */
public record ModelCheck(String model, Optional<Summary> summary, long fileBytes, List<CheckResult> results,
                         Optional<String> error) {
    public ModelCheck {
        results = List.copyOf(results);
    }

    public static ModelCheck failed(String model, String error) {
        return new ModelCheck(model, Optional.empty(), 0, List.of(), Optional.of(error));
    }

    public long count(CheckResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }
}
