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
public record Baseline(Path path, Map<Figure, Long> figures, String format, int foldedBatchNorms) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Baseline {
        figures = Collections.unmodifiableMap(new EnumMap<>(figures));
        format = format == null ? "" : format;
    }

    /** A baseline whose file format is not known. */
    public Baseline(Path path, Map<Figure, Long> figures) {
        this(path, figures, "", 0);
    }

    /**
     * Why {@code summary}'s params and buffers may differ from this baseline's for reasons other than the model
     * (a file of another format, BatchNorms folded by an exporter in one of them), as a clause; empty when none.
     */
    public String caveat(dev.tally.report.Summary summary) {
        java.util.List<String> reasons = new java.util.ArrayList<>();
        String now = summary.model().format().displayName();
        if (!format.isEmpty() && !format.equals(now)) {
            reasons.add("the baseline was taken from a file of format '" + format + "' and this one is '" + now + "'");
        }
        if (foldedBatchNorms != summary.model().foldedBatchNorms()) {
            reasons.add(foldedBatchNorms > 0
                    ? "the baseline has " + foldedBatchNorms + " BatchNorms folded by the exporter and this has " + summary.model().foldedBatchNorms()
                    : "this file has " + summary.model().foldedBatchNorms() + " BatchNorms folded by the exporter and the baseline none");
        }
        return reasons.isEmpty() ? "" : String.join(", and ", reasons)
                + ", so params and buffers can differ for that reason alone (an ONNX export folds BatchNorm and leaves out num_batches_tracked)";
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
        JsonNode model = root.path("model");
        return new Baseline(path, figures, model.path("format").asText(""), model.path("foldedBatchNorms").asInt(0));
    }
}
