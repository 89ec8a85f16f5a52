package dev.tally.budget;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.report.Format;
import dev.tally.report.Units;
import dev.tally.report.TextTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The report of {@code tally check} in each output format: a table of every limit with its result, then the
 * message of each limit exceeded and of each error, then the verdict with the exit code.
 */
public final class CheckRenderer {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CheckRenderer() {
    }

    public static String render(CheckReport report, Format format) {
        return switch (format) {
            case TABLE -> text(report, false);
            case MARKDOWN -> text(report, true);
            case JSON -> json(report);
            case CSV -> csv(report);
            case HTML -> throw new dev.tally.ir.UsageException("The HTML format is for one model's summary and for compare; check writes table, markdown, json or csv.");
        };
    }

    private static String text(CheckReport report, boolean markdown) {
        TextTable table = new TextTable("Model", "Check", "Actual", "Max", "Result").alignRight(2, 3);
        List<String> over = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (ModelCheck model : report.models()) {
            if (model.error().isPresent()) {
                table.row(model.model(), "analysis", "-", "-", "ERROR");
                errors.add(model.error().get());
            }
            for (CheckResult result : model.results()) {
                table.row(model.model(), result.name(), Units.exact(result.actual()), Units.exact(result.max()), resultCell(result));
                if (result.status() == CheckResult.Status.FAIL) {
                    over.add(result.message());
                } else if (result.status() == CheckResult.Status.ERROR) {
                    errors.add(result.message());
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(markdown ? table.renderMarkdown() : table.renderText());
        appendList(out, "Over budget", over, markdown);
        appendList(out, "Errors", errors, markdown);
        out.append('\n').append(markdown ? "**" + report.verdict() + "**" : report.verdict()).append('\n');
        return out.toString();
    }

    private static String resultCell(CheckResult result) {
        return switch (result.status()) {
            case PASS -> "ok";
            case FAIL -> "OVER by " + Units.exact(result.excess()) + " ("
                    + (result.max() == 0 ? "limit 0" : BudgetChecker.percentOf(result.excess(), result.max())) + ")";
            case ERROR -> "ERROR (lower bound)";
        };
    }

    private static void appendList(StringBuilder out, String title, List<String> lines, boolean markdown) {
        if (lines.isEmpty()) {
            return;
        }
        out.append('\n').append(markdown ? "**" + title + "**\n\n" : title + ":\n");
        for (String line : lines) {
            out.append(markdown ? "- " + TextTable.markdownCell(line) : "  - " + line).append('\n');
        }
    }

    private static String json(CheckReport report) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        root.put("exitCode", report.exitCode());
        root.put("checks", report.checks());
        root.put("failures", report.failures());
        root.put("errors", report.errors());
        root.put("verdict", report.verdict());
        ArrayNode models = root.putArray("models");
        for (ModelCheck model : report.models()) {
            ObjectNode entry = models.addObject();
            entry.put("model", model.model());
            if (model.error().isPresent()) {
                entry.put("error", model.error().get());
            } else {
                entry.putNull("error");
                entry.put("fileBytes", model.fileBytes());
            }
            ArrayNode results = entry.putArray("results");
            for (CheckResult result : model.results()) {
                ObjectNode row = results.addObject();
                row.put("figure", result.figure().displayName());
                row.put("type", result.type().name().toLowerCase(java.util.Locale.ROOT));
                row.put("limit", result.limitText());
                row.put("max", result.max());
                row.put("actual", result.actual());
                if (result.baseline().isPresent()) {
                    row.put("baseline", result.baseline().get());
                }
                row.put("status", result.status().name().toLowerCase(java.util.Locale.ROOT));
                row.put("excess", Math.max(0, result.excess()));
                row.put("message", result.message());
            }
        }
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return MAPPER.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree of numbers and strings could not be written.", e);
        }
    }

    private static String csv(CheckReport report) {
        StringBuilder out = new StringBuilder("model,figure,type,limit,max,actual,baseline,status,message\n");
        for (ModelCheck model : report.models()) {
            if (model.error().isPresent()) {
                out.append(String.join(",", csvCell(model.model()), "", "", "", "", "", "", "error", csvCell(model.error().get())))
                        .append('\n');
            }
            for (CheckResult result : model.results()) {
                out.append(String.join(",", csvCell(model.model()), result.figure().displayName(),
                        result.type().name().toLowerCase(java.util.Locale.ROOT), csvCell(result.limitText()),
                        Long.toString(result.max()), Long.toString(result.actual()),
                        result.baseline().map(String::valueOf).orElse(""),
                        result.status().name().toLowerCase(java.util.Locale.ROOT), csvCell(result.message()))).append('\n');
            }
        }
        return out.toString();
    }

    /** RFC 4180: quoted when it holds a comma, a quote or a line break. */
    public static String csvCell(String text) {
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
