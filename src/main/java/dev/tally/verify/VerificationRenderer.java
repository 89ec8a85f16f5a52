package dev.tally.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import dev.tally.report.Units;
import java.util.Locale;

/** Renders a {@link VerificationReport} as a table for people or as JSON for {@code summary --verify} and scripts. */
public final class VerificationRenderer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VerificationRenderer() {
    }

    /**
     * The JSON contract: {@code model {path, format}}, {@code engine}, {@code passed}, {@code inputs [{name, dtype,
     * shape, seed}]}, {@code checks [{check, expected, actual, pass}]}, {@code timings [{phase, millis}]},
     * {@code peakRssBytes} (-1 when unknown) and {@code notes}.
     */
    public static String json(VerificationReport report) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("path", report.path());
        model.put("format", report.format());
        root.put("engine", report.engine());
        root.put("passed", report.passed());
        ArrayNode inputs = root.putArray("inputs");
        for (VerificationReport.Input input : report.inputs()) {
            ObjectNode node = inputs.addObject();
            node.put("name", input.name());
            node.put("dtype", input.dtype());
            ArrayNode shape = node.putArray("shape");
            input.shape().dims().forEach(shape::add);
            node.put("seed", input.seed());
        }
        ArrayNode checks = root.putArray("checks");
        for (Check check : report.checks()) {
            ObjectNode node = checks.addObject();
            node.put("check", check.check());
            node.put("expected", check.expected());
            node.put("actual", check.actual());
            node.put("pass", check.pass());
        }
        ArrayNode timings = root.putArray("timings");
        for (VerificationReport.Timing timing : report.timings()) {
            ObjectNode node = timings.addObject();
            node.put("phase", timing.phase());
            node.put("millis", Math.round(timing.millis() * 10) / 10.0);
        }
        root.put("peakRssBytes", report.peakRssBytes());
        ArrayNode notes = root.putArray("notes");
        report.notes().forEach(notes::add);
        try {
            return JSON.writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The table: one row per check, then timings, peak memory, notes and a verdict line. */
    public static String table(VerificationReport report) {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append("verify ").append(report.path()).append(" (").append(report.format()).append(") with ")
                .append(report.engine()).append(nl);
        for (VerificationReport.Input input : report.inputs()) {
            out.append("input ").append(input.name()).append(": ").append(input.dtype()).append(' ')
                    .append(input.shape()).append(", random, seed ").append(input.seed()).append(nl);
        }
        out.append(nl);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"check", "expected", "actual", "result"});
        for (Check check : report.checks()) {
            rows.add(new String[] {check.check(), check.expected(), check.actual(), check.pass() ? "pass" : "FAIL"});
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append(nl);
        }
        out.append(nl);
        List<String> timings = new ArrayList<>();
        for (VerificationReport.Timing timing : report.timings()) {
            timings.add(timing.phase() + " " + duration(timing.millis()));
        }
        out.append("time: ").append(String.join(", ", timings)).append(nl);
        if (report.peakRssBytes() >= 0) {
            out.append("peak memory (RSS): ").append(Units.bytes(report.peakRssBytes())).append(nl);
        }
        for (String note : report.notes()) {
            out.append("note: ").append(note).append(nl);
        }
        int failed = report.failures().size();
        int total = report.checks().size();
        out.append(failed == 0 && total > 0
                ? "PASS: all " + total + " checks agree with the static analysis."
                : "FAIL: " + failed + " of " + total + " checks disagree with the static analysis.").append(nl);
        return out.toString();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    private static String duration(double millis) {
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2f s", millis / 1000) : String.format(Locale.ROOT, "%.1f ms", millis);
    }
}
