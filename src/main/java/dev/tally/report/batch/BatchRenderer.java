package dev.tally.report.batch;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ir.Shape;
import dev.tally.report.Format;
import dev.tally.report.JsonText;
import dev.tally.report.Summary;
import dev.tally.report.TensorSummary;
import dev.tally.report.Totals;
import dev.tally.report.Units;
import dev.tally.report.TextTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch as one row per model, like the model tables of torchvision's documentation: params, MACs, FLOPs,
 * weight size, activation memory and input shape. Text formats show readable units; JSON and CSV exact integers.
 */
public final class BatchRenderer {
    private BatchRenderer() {
    }

    public static String render(List<BatchRow> rows, Format format) {
        return switch (format) {
            case TABLE -> text(rows, false);
            case MARKDOWN -> text(rows, true);
            case JSON -> json(rows);
            case CSV -> csv(rows);
            case HTML -> throw new dev.tally.ir.UsageException("The HTML format is for one model's summary and for compare; a batch summary writes table, markdown, json or csv.");
        };
    }

    private static String text(List<BatchRow> rows, boolean markdown) {
        TextTable table = new TextTable("Model", "Params", "MACs", "FLOPs", "Weight size", "Activation", "Training", "Input", "Note")
                .alignRight(1, 2, 3, 4, 5, 6);
        for (BatchRow row : rows) {
            if (row.summary().isPresent()) {
                Summary summary = row.summary().get();
                Totals totals = summary.totals();
                table.row(row.path(), Units.count(totals.params()), Units.count(totals.macs()), Units.count(totals.flops()),
                        Units.bytes(totals.paramBytes()), Units.bytes(totals.activationBytes()), training(totals), inputs(summary),
                        summary.isComplete() ? "" : "lower bounds: no rule for " + unsupported(summary));
            } else {
                table.row(row.path(), "-", "-", "-", "-", "-", "-", "-", row.error().orElseThrow());
            }
        }
        StringBuilder out = new StringBuilder(markdown ? table.renderMarkdown() : table.renderText());
        long failed = rows.stream().filter(r -> r.error().isPresent()).count();
        String footer = rows.size() + (rows.size() == 1 ? " model" : " models") + ", " + failed
                + " could not be analysed"
                + ". MACs: multiply-accumulates; FLOPs = 2 x MACs; Training: one training step at the input's batch with "
                + optimizers(rows) + " (docs/conventions.md); " + Units.BYTES_NOTE + ".";
        out.append('\n').append(markdown ? TextTable.markdownCell(footer) : footer).append('\n');
        return out.toString();
    }

    private static String training(Totals totals) {
        return totals.training().isNone() ? "-" : Units.bytes(totals.trainingBytes());
    }

    /** The optimizer the rows' training memory counts, as one name (a batch uses one). */
    private static String optimizers(List<BatchRow> rows) {
        List<String> names = rows.stream().flatMap(r -> r.summary().stream()).filter(s -> !s.totals().training().isNone())
                .map(s -> s.totals().training().optimizer().displayName()).distinct().toList();
        return names.isEmpty() ? "adam" : String.join(" or ", names);
    }

    private static String inputs(Summary summary) {
        List<String> shapes = new ArrayList<>();
        for (TensorSummary input : summary.inputs()) {
            shapes.add(input.shape().map(Shape::toDisplayString).orElse("?"));
        }
        return String.join(", ", shapes);
    }

    private static String unsupported(Summary summary) {
        List<String> ops = new ArrayList<>();
        summary.unsupported().forEach(op -> ops.add(op.opType()));
        return ops.isEmpty() ? "(nodes fed by unsupported ops)" : String.join(", ", ops);
    }

    private static String json(List<BatchRow> rows) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("count", rows.size());
        root.put("errors", rows.stream().filter(r -> r.error().isPresent()).count());
        ArrayNode models = root.putArray("models");
        for (BatchRow row : rows) {
            ObjectNode entry = models.addObject();
            entry.put("path", row.path());
            if (row.error().isPresent()) {
                entry.put("error", row.error().get());
                continue;
            }
            Summary summary = row.summary().get();
            entry.putNull("error");
            entry.put("format", summary.model().format().displayName());
            ArrayNode inputs = entry.putArray("inputs");
            for (TensorSummary input : summary.inputs()) {
                ObjectNode tensor = inputs.addObject();
                tensor.put("name", input.name());
                ArrayNode dims = tensor.putArray("shape");
                input.shape().ifPresent(s -> s.dims().forEach(dims::add));
            }
            Totals totals = summary.totals();
            ObjectNode sums = entry.putObject("totals");
            sums.put("params", totals.params());
            sums.put("buffers", totals.buffers());
            sums.put("paramBytes", totals.paramBytes());
            sums.put("macs", totals.macs());
            sums.put("flops", totals.flops());
            sums.put("ops", totals.ops());
            sums.put("activationBytes", totals.activationBytes());
            if (!totals.training().isNone()) {
                sums.put("trainingBytes", totals.trainingBytes());
                sums.put("optimizer", totals.training().optimizer().displayName());
            }
            entry.put("complete", summary.isComplete());
            ArrayNode gaps = entry.putArray("unsupported");
            summary.unsupported().forEach(op -> gaps.add(op.opType()));
        }
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        return JsonText.write(root, printer) + "\n";
    }

    private static String csv(List<BatchRow> rows) {
        StringBuilder out = new StringBuilder("path,format,input,params,buffers,paramBytes,macs,flops,ops,activationBytes,trainingBytes,complete,error\n");
        for (BatchRow row : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(row.path());
            if (row.summary().isPresent()) {
                Summary summary = row.summary().get();
                Totals t = summary.totals();
                cells.addAll(List.of(summary.model().format().displayName(), inputs(summary), Long.toString(t.params()),
                        Long.toString(t.buffers()), Long.toString(t.paramBytes()), Long.toString(t.macs()),
                        Long.toString(t.flops()), Long.toString(t.ops()), Long.toString(t.activationBytes()),
                        t.training().isNone() ? "" : Long.toString(t.trainingBytes()), Boolean.toString(summary.isComplete()), ""));
            } else {
                cells.addAll(List.of("", "", "", "", "", "", "", "", "", "", "", row.error().get()));
            }
            List<String> quoted = new ArrayList<>();
            for (String cell : cells) {
                quoted.add(cell.contains(",") || cell.contains("\"") || cell.contains("\n")
                        ? '"' + cell.replace("\"", "\"\"") + '"' : cell);
            }
            out.append(String.join(",", quoted)).append('\n');
        }
        return out.toString();
    }
}
