package dev.tally.report.compare;

import dev.tally.report.TextTable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ir.Shape;
import dev.tally.report.Format;
import dev.tally.report.Summary;
import dev.tally.report.TensorSummary;
import dev.tally.report.Totals;
import dev.tally.report.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A comparison in each output format. Text formats show the totals table, then one table per stage figure
 * (params, MACs, activation memory: where variants differ); JSON and CSV carry every figure of every stage.
 * Numbers are exact everywhere; each model after the first is followed by its difference to the first.
 */
public final class ComparisonRenderer {
    /** The figures of the per-stage tables in text formats. */
    static final List<Metric> STAGE_METRICS = List.of(Metric.PARAMS, Metric.MACS, Metric.ACTIVATION_BYTES);

    private ComparisonRenderer() {
    }

    public static String render(Comparison comparison, Format format) {
        return switch (format) {
            case TABLE -> text(comparison, false);
            case MARKDOWN -> text(comparison, true);
            case JSON -> json(comparison);
            case CSV -> csv(comparison);
            case HTML -> dev.tally.report.html.CompareHtmlRenderer.render(comparison);
        };
    }

    private static String text(Comparison c, boolean markdown) {
        StringBuilder out = new StringBuilder();
        List<String> labels = c.labels();
        out.append(markdown ? "### Comparison\n\n" : "Comparison\n");
        for (int i = 0; i < labels.size(); i++) {
            Summary summary = c.summaries().get(i);
            String line = labels.get(i) + ": " + summary.model().path() + " (" + summary.model().format().displayName()
                    + "), input " + inputs(summary);
            out.append(markdown ? "- " + TextTable.markdownCell(line) : "  " + line).append('\n');
        }
        List<String> notes = new ArrayList<>(c.caveats());
        for (int i = 0; i < labels.size(); i++) {
            for (String note : c.summaries().get(i).notes()) {
                notes.add(labels.get(i) + ": " + note);
            }
        }
        if (!notes.isEmpty()) {
            out.append(markdown ? "\n**Notes**\n\n" : "Notes:\n");
            notes.forEach(note -> out.append(markdown ? "- " + TextTable.markdownCell(note) : "  - " + note).append('\n'));
        }
        String against = (markdown ? "" : "\n") + "Differences are against " + labels.get(0) + ": absolute, then percent of its figure.";
        out.append(markdown ? "\n" + TextTable.markdownCell(against) + "\n\n" : against + "\n\n");
        TextTable totals = table("Total", labels);
        for (Metric metric : Metric.values()) {
            List<String> cells = new ArrayList<>();
            cells.add(metric.label());
            for (int i = 0; i < labels.size(); i++) {
                cells.add(Units.exact(metric.of(c.summaries().get(i).totals())));
                if (i > 0) {
                    cells.add(c.total(metric, i).display());
                }
            }
            totals.row(cells);
        }
        out.append(markdown ? totals.renderMarkdown() : totals.renderText());
        String training = trainingNote(c);
        out.append(markdown ? "\n" + TextTable.markdownCell(training) + "\n" : training + "\n");
        String stageName = c.depth() == 0 ? "layer" : c.depth() == 1 ? "top-level module" : "module path to depth " + c.depth();
        for (Metric metric : STAGE_METRICS) {
            out.append('\n');
            String title = metric.label() + " by " + stageName;
            out.append(markdown ? "**" + TextTable.markdownCell(title) + "**\n\n" : title + "\n");
            TextTable stages = table("Stage", labels);
            for (StageRow row : c.stages()) {
                List<String> cells = new ArrayList<>();
                cells.add(row.name());
                Optional<Totals> first = row.figures().get(0);
                for (int i = 0; i < labels.size(); i++) {
                    Optional<Totals> figures = row.figures().get(i);
                    cells.add(figures.map(t -> Units.exact(metric.of(t))).orElse("-"));
                    if (i > 0) {
                        cells.add(first.isPresent() && figures.isPresent()
                                ? Difference.between(metric.of(first.get()), metric.of(figures.get())).display() : "-");
                    }
                }
                cells.add(note(row, labels));
                stages.row(cells);
            }
            out.append(markdown ? stages.renderMarkdown() : stages.renderText());
        }
        long partial = c.stages().stream().filter(StageRow::isPartial).count();
        if (partial > 0) {
            String line = partial + (partial == 1 ? " stage is" : " stages are")
                    + " not in every model: a '-' marks the models without it.";
            out.append('\n').append(markdown ? TextTable.markdownCell(line) : line).append('\n');
        }
        for (int i = 0; i < labels.size(); i++) {
            Summary summary = c.summaries().get(i);
            if (!summary.isComplete()) {
                String line = labels.get(i) + " has nodes without a count (" + summary.unsupported().size()
                        + " unsupported op types); its figures are lower bounds.";
                out.append(markdown ? TextTable.markdownCell(line) : line).append('\n');
            }
        }
        return out.toString();
    }

    /** What the training row is: one step at each model's input batch, with the optimizer(s) the summaries used. */
    public static String trainingNote(Comparison c) {
        List<String> optimizers = c.summaries().stream().filter(s -> !s.totals().training().isNone())
                .map(s -> s.totals().training().optimizer().displayName()).distinct().toList();
        return "Training memory: one training step at each model's input batch with "
                + (optimizers.isEmpty() ? "no optimizer (not in these reports)" : String.join(" or ", optimizers))
                + ": params, gradients, optimizer state and the larger of (saved activations + backward transient) and the"
                + " optimizer step's temporaries (docs/conventions.md).";
    }

    /** A table with a name column, then each model, each after the first followed by its difference column. */
    private static TextTable table(String first, List<String> labels) {
        List<String> headers = new ArrayList<>();
        headers.add(first);
        List<Integer> right = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            headers.add(labels.get(i));
            right.add(headers.size() - 1);
            if (i > 0) {
                headers.add("vs " + labels.get(0));
                right.add(headers.size() - 1);
            }
        }
        if (first.equals("Stage")) {
            headers.add("Note");
        }
        TextTable table = new TextTable(headers.toArray(new String[0]));
        table.alignRight(right.stream().mapToInt(Integer::intValue).toArray());
        return table;
    }

    /** {@code only in vgg19.onnx}, {@code not in vgg16.onnx}, or empty when every model has the stage. */
    static String note(StageRow row, List<String> labels) {
        if (!row.isPartial()) {
            return "";
        }
        List<Integer> present = row.presentIn();
        if (present.size() == 1) {
            return "only in " + labels.get(present.get(0));
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (!present.contains(i)) {
                missing.add(labels.get(i));
            }
        }
        return "not in " + String.join(", ", missing);
    }

    private static String inputs(Summary summary) {
        List<String> parts = new ArrayList<>();
        for (TensorSummary input : summary.inputs()) {
            parts.add(input.shape().map(Shape::toDisplayString).orElse("?"));
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String json(Comparison c) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        ArrayNode models = root.putArray("models");
        for (int i = 0; i < c.labels().size(); i++) {
            Summary summary = c.summaries().get(i);
            ObjectNode model = models.addObject();
            model.put("label", c.labels().get(i));
            model.put("path", summary.model().path());
            model.put("format", summary.model().format().displayName());
            if (summary.totals().training().isNone()) {
                model.putNull("optimizer");
            } else {
                model.put("optimizer", summary.totals().training().optimizer().displayName());
            }
            ArrayNode inputs = model.putArray("inputs");
            for (TensorSummary input : summary.inputs()) {
                ObjectNode entry = inputs.addObject();
                entry.put("name", input.name());
                if (input.shape().isPresent()) {
                    ArrayNode dims = entry.putArray("shape");
                    input.shape().get().dims().forEach(dims::add);
                } else {
                    entry.putNull("shape");
                }
            }
            model.put("complete", summary.isComplete());
        }
        ArrayNode caveats = root.putArray("caveats");
        c.caveats().forEach(caveats::add);
        root.put("against", c.labels().get(0));
        ObjectNode totals = root.putObject("totals");
        for (Metric metric : Metric.values()) {
            ObjectNode entry = totals.putObject(metric.jsonName());
            ArrayNode values = entry.putArray("values");
            ArrayNode diffs = entry.putArray("differences");
            for (int i = 0; i < c.labels().size(); i++) {
                values.add(metric.of(c.summaries().get(i).totals()));
                if (i == 0) {
                    diffs.addNull();
                } else {
                    diffs.add(difference(c.total(metric, i)));
                }
            }
        }
        root.put("depth", c.depth());
        ArrayNode stages = root.putArray("stages");
        for (StageRow row : c.stages()) {
            ObjectNode stage = stages.addObject();
            stage.put("name", row.name());
            ArrayNode present = stage.putArray("presentIn");
            row.presentIn().forEach(i -> present.add(c.labels().get(i)));
            Optional<Totals> first = row.figures().get(0);
            for (Metric metric : Metric.stageMetrics()) {
                ObjectNode entry = stage.putObject(metric.jsonName());
                ArrayNode values = entry.putArray("values");
                ArrayNode diffs = entry.putArray("differences");
                for (int i = 0; i < row.figures().size(); i++) {
                    Optional<Totals> figures = row.figures().get(i);
                    if (figures.isPresent()) {
                        values.add(metric.of(figures.get()));
                    } else {
                        values.addNull();
                    }
                    if (i > 0 && first.isPresent() && figures.isPresent()) {
                        diffs.add(difference(Difference.between(metric.of(first.get()), metric.of(figures.get()))));
                    } else {
                        diffs.addNull();
                    }
                }
            }
        }
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return new ObjectMapper().writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree of numbers and strings could not be written.", e);
        }
    }

    private static ObjectNode difference(Difference difference) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("absolute", difference.absolute());
        if (difference.percent().isPresent()) {
            node.put("percent", difference.percent().get());
        } else {
            node.putNull("percent");
        }
        return node;
    }

    /** One line per (section, name, figure): values of each model, each after the first with its differences. */
    private static String csv(Comparison c) {
        List<String> header = new ArrayList<>(List.of("section", "name", "figure"));
        for (int i = 0; i < c.labels().size(); i++) {
            header.add(c.labels().get(i));
            if (i > 0) {
                header.add(c.labels().get(i) + " diff");
                header.add(c.labels().get(i) + " diff %");
            }
        }
        StringBuilder out = new StringBuilder();
        csvLine(out, header);
        for (Metric metric : Metric.values()) {
            List<Optional<Totals>> figures = new ArrayList<>();
            c.summaries().forEach(s -> figures.add(Optional.of(s.totals())));
            csvLine(out, csvRow("totals", "", metric, figures));
        }
        for (StageRow row : c.stages()) {
            for (Metric metric : Metric.stageMetrics()) {
                csvLine(out, csvRow("stage", row.name(), metric, row.figures()));
            }
        }
        for (String caveat : c.caveats()) {
            csvLine(out, List.of("caveat", caveat, ""));
        }
        return out.toString();
    }

    private static List<String> csvRow(String section, String name, Metric metric, List<Optional<Totals>> figures) {
        List<String> cells = new ArrayList<>(List.of(section, name, metric.jsonName()));
        Optional<Totals> first = figures.get(0);
        for (int i = 0; i < figures.size(); i++) {
            Optional<Totals> each = figures.get(i);
            cells.add(each.map(t -> Long.toString(metric.of(t))).orElse(""));
            if (i > 0) {
                Optional<Difference> diff = first.isPresent() && each.isPresent()
                        ? Optional.of(Difference.between(metric.of(first.get()), metric.of(each.get()))) : Optional.empty();
                cells.add(diff.map(d -> Long.toString(d.absolute())).orElse(""));
                cells.add(diff.flatMap(Difference::percent).map(java.math.BigDecimal::toPlainString).orElse(""));
            }
        }
        return cells;
    }

    private static void csvLine(StringBuilder out, List<String> cells) {
        List<String> quoted = new ArrayList<>();
        for (String cell : cells) {
            quoted.add(cell.contains(",") || cell.contains("\"") || cell.contains("\n")
                    ? '"' + cell.replace("\"", "\"\"") + '"' : cell);
        }
        out.append(String.join(",", quoted)).append('\n');
    }
}
