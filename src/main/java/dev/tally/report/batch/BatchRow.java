package dev.tally.report.batch;

import dev.tally.report.Summary;
import java.util.Optional;

/**
 * One model of a batch: its summary, or the one-sentence reason it has none.
 *
 * @param path  the file as found (as given, or under a folder given)
 * @param error why the file could not be analysed; empty when {@code summary} is present
 * @param bug   whether the error is a bug in Tally rather than bad input
 */
public record BatchRow(String path, Optional<Summary> summary, Optional<String> error, boolean bug) {
    public BatchRow {
        if (summary.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("A batch row has either a summary or an error: " + path + ".");
        }
    }

    public static BatchRow of(String path, Summary summary) {
        return new BatchRow(path, Optional.of(summary), Optional.empty(), false);
    }

    public static BatchRow failed(String path, String error, boolean bug) {
        return new BatchRow(path, Optional.empty(), Optional.of(error), bug);
    }
}
