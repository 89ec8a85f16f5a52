package dev.tally.budget;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of an earlier run, read from {@code tally summary --format json} (its {@code totals} object), for
 * {@code check --baseline}. The file size is not in a summary, so it has no baseline.
 */
public record Baseline(Path path, Map<Figure, Long> figures) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Baseline {
        figures = Collections.unmodifiableMap(new EnumMap<>(figures));
    }

    public Optional<Long> figure(Figure figure) {
        return Optional.ofNullable(figures.get(figure));
    }

    /** Reads a summary JSON; anything else is a {@link UsageException} that says what is missing. */
    public static Baseline read(Path path) {
        String name = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new UsageException("The baseline " + name + " does not exist; make it with 'tally summary MODEL --format json --out " + name + "'.");
        }
        JsonNode root;
        try {
            root = JSON.readTree(path.toFile());
        } catch (JacksonException e) {
            throw new UsageException("The baseline " + name + " is not valid JSON at line " + e.getLocation().getLineNr()
                    + "; give the output of 'tally summary MODEL --format json'.");
        } catch (IOException e) {
            throw new UsageException("The baseline " + name + " cannot be read (" + e.getMessage() + ").");
        }
        JsonNode totals = root == null ? null : root.get("totals");
        if (totals == null || !totals.isObject()) {
            throw new UsageException("The baseline " + name + " has no 'totals' object; give the output of 'tally summary MODEL --format json'.");
        }
        Map<Figure, Long> figures = new EnumMap<>(Figure.class);
        for (Figure figure : Figure.values()) {
            Optional<String> key = figure.summaryJsonName();
            if (key.isEmpty()) {
                continue;
            }
            JsonNode value = totals.get(key.get());
            if (value == null || !value.canConvertToExactIntegral() || value.asLong() < 0) {
                throw new UsageException("The baseline " + name + " has no whole number at 'totals." + key.get()
                        + "'; give the output of 'tally summary MODEL --format json'.");
            }
            figures.put(figure, value.asLong());
        }
        return new Baseline(path, figures);
    }
}
