package dev.tally.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ir.Shape;
import dev.tally.report.Format;
import dev.tally.report.TextTable;
import dev.tally.report.Units;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code tally catalog} as a table, JSON, CSV, Markdown or HTML ({@link CatalogHtml}). */
public final class CatalogRenderer {
    static final String ABSENT = "-";
    /** What the columns mean, printed under the table and kept in the JSON. */
    static final List<String> DEFINITIONS = List.of(
            "Metrics: torchvision's published meta[\"_metrics\"] for the weights entry, unchanged (first dataset shown; JSON has all).",
            "Params: PyTorch's count of the model builder(weights=W) builds (the JSON's graphParams is Tally's count of the evaluation graph). "
                    + "MACs, FLOPs: counted by Tally on the catalog's structure-only graph at the input shown (MACs as torchvision publishes them, FLOPs = 2 x MACs); "
                    + "absent, with the reason, where there is no graph.",
            "A cost written \"X + <=Y\" (detection) depends on the data in part: X MACs (the backbone and its heads) are exact, and the part "
                    + "that runs on the boxes found (proposals, detections) is at most Y, counted at the bounds the graph states; its peak memory "
                    + "(<=) is at those bounds too. --sort, --where and the Pareto front take such a row at X + Y, the most it can cost.",
            "Size: the exact bytes of every state_dict tensor (numel x element size, params and buffers), the data of the .pth file without its zip framing.",
            "Pareto (*): no other entry of the same task, measured on the same dataset and metric (its first: acc@1, miou, box_map; for optical "
                    + "flow an error, lower is better: epe, fl_all), is at least as good at no more of the Pareto cost, and better in one; the cost is "
                    + "the sort column when it is a cost, else MACs.",
            "Input: the input the cost is counted at; a graph with several inputs lists their names after the shape, which each of them "
                    + "takes (optical flow: its two frames, image1 and image2; --input gives the shape of each).");

    private CatalogRenderer() {
    }

    public static String render(CatalogTable table, Format format, String torchvision) {
        return switch (format) {
            case TABLE -> text(table, false);
            case MARKDOWN -> text(table, true);
            case CSV -> csv(table);
            case JSON -> json(table, torchvision);
            case HTML -> CatalogHtml.render(table, torchvision);
        };
    }

    private static boolean hasMemory(CatalogTable table) {
        return table.rows().stream().anyMatch(r -> r.memory().isPresent());
    }

    private static String text(CatalogTable table, boolean markdown) {
        boolean memory = hasMemory(table);
        boolean tasks = table.task().equals(CatalogTable.ALL);
        List<String> headers = new ArrayList<>(List.of("Weights"));
        if (tasks) {
            headers.add("Task");
        }
        headers.addAll(List.of("Metrics", "Params", "MACs", "FLOPs", "Size", "Input"));
        if (memory) {
            headers.add("Peak memory");
        }
        if (table.budget() != null) {
            headers.add("Fit batch");
        }
        headers.add("Pareto");
        TextTable out = new TextTable(headers.toArray(new String[0]));
        int first = tasks ? 3 : 2;
        out.alignRight(first, first + 1, first + 2, first + 3);
        if (table.budget() != null) {
            out.alignRight(headers.indexOf("Fit batch"));
        }
        List<String> notes = new ArrayList<>();
        for (CatalogRow row : table.rows()) {
            List<String> cells = new ArrayList<>();
            cells.add(name(row));
            if (tasks) {
                cells.add(row.entry().task());
            }
            cells.add(metrics(row.entry()));
            cells.add(Units.exact(row.params()));
            cells.add(macsText(row));
            cells.add(flopsText(row));
            cells.add(row.yours() ? ABSENT : Units.bytes(row.entry().bytes()));
            cells.add(inputText(row).orElse(ABSENT));
            if (memory) {
                cells.add(memoryText(row));
            }
            if (table.budget() != null) {
                cells.add(row.fitBatch().map(Units::exact).orElse(ABSENT));
            }
            cells.add(row.pareto() ? "*" : "");
            out.row(cells);
            if (!row.note().isEmpty() && row.cost().isEmpty()) {
                notes.add(name(row) + ": " + row.note() + ".");
            }
        }
        StringBuilder text = new StringBuilder();
        text.append(markdown ? out.renderMarkdown() : out.renderText());
        text.append('\n').append(table.rows().size()).append(" weights entries (torchvision ").append(sourceNote(table)).append(").\n");
        DEFINITIONS.forEach(d -> text.append(d).append('\n'));
        if (table.budget() != null) {
            text.append(fitDefinition(table.budget())).append('\n');
        }
        if (!notes.isEmpty()) {
            text.append("\nCost absent (").append(notes.size()).append("):\n");
            notes.forEach(n -> text.append(markdown ? "- " : "  - ").append(n).append('\n'));
        }
        for (CatalogRow row : table.rows()) {
            if (row.yours()) {
                text.append("\nNearest by MACs to ").append(row.entry().weights()).append(" (").append(macsText(row))
                        .append(" MACs").append(fitText(table, row)).append("):\n");
                for (CatalogRow near : Neighbours.nearest(row, table.rows(), 3)) {
                    text.append(markdown ? "- " : "  - ").append(near.entry().weights()).append(": ").append(metrics(near.entry()))
                            .append(", ").append(macsText(near)).append(" MACs").append(fitText(table, near)).append('\n');
                }
            }
        }
        List<CatalogRow> noted = table.rows().stream().filter(r -> r.cost().isPresent() && !r.yours() && !r.note().isEmpty()).toList();
        if (!noted.isEmpty()) {
            text.append("\nNotes (").append(noted.size()).append("):\n");
            noted.forEach(r -> text.append(markdown ? "- " : "  - ").append(name(r)).append(": ").append(r.note()).append(".\n"));
        }
        return text.toString();
    }

    /**
     * The input shown for a row: its shape, then in parentheses the names of the inputs that each take it when the graph
     * has several ({@code 1x3x440x1024 (image1, image2)}: RAFT's two frames).
     */
    static Optional<String> inputText(CatalogRow row) {
        List<String> names = row.entry().inputNames();
        return row.input().map(s -> names.isEmpty() ? s.toString() : s + " (" + String.join(", ", names) + ")");
    }

    /** The MACs: exact, or "exact + <=bound" when a part of them depends on the data and that part has MACs. */
    static String macsText(CatalogRow row) {
        return withBound(row.macs(), row.dataDependentMacs());
    }

    static String flopsText(CatalogRow row) {
        return withBound(row.flops(), row.dataDependentMacs().map(m -> 2 * m));
    }

    private static String withBound(Optional<Long> exact, Optional<Long> bound) {
        if (exact.isEmpty()) {
            return ABSENT;
        }
        String text = Units.exact(exact.get());
        return bound.filter(b -> b > 0).map(b -> text + " + <=" + Units.exact(b)).orElse(text);
    }

    /** The peak activation memory, "<=" in front when it is taken at data-dependent bounds. */
    static String memoryText(CatalogRow row) {
        return row.peakActivationBytes().map(b -> (row.dataDependent() ? "<=" : "") + Units.bytes(b)).orElse(ABSENT);
    }

    /** ", fit batch N" under {@code --memory}, ", no fit batch" when the row has none (its note says why). */
    private static String fitText(CatalogTable table, CatalogRow row) {
        if (table.budget() == null) {
            return "";
        }
        return row.fitBatch().map(b -> ", fit batch " + Units.exact(b)).orElse(", no fit batch");
    }

    private static String sourceNote(CatalogTable table) {
        return "task " + table.task() + ", sorted by " + table.sort().key() + ", Pareto cost " + table.paretoCost().key()
                + table.input().map(s -> ", every cost at --input " + s).orElse(", each at its evaluation input");
    }

    /** What the fitBatch column means, under the table and in the JSON. */
    static String fitDefinition(MemoryFigures.Budget budget) {
        return "Fit batch: the largest batch whose memory (" + budget.by().description() + ") fits --memory "
                + Units.exact(budget.bytes()) + " B (" + Units.bytes(budget.bytes()) + "), found as tally fit finds it: the shape pass "
                + "runs again at every batch tried on the row's graph at its input, never scaled from batch 1; 0 when not even batch 1 fits.";
    }

    static String name(CatalogRow row) {
        return row.yours() ? "> " + row.entry().weights() : row.entry().weights();
    }

    /** The first dataset's metrics: {@code acc@1 76.13, acc@5 92.862}; a null (NaN) value as "not published". */
    static String metrics(WeightsEntry entry) {
        if (entry.metrics().isEmpty()) {
            return ABSENT;
        }
        List<String> parts = new ArrayList<>();
        entry.metrics().values().iterator().next().forEach((k, v) -> parts.add(k + " " + (v == null ? "n/a" : v.toPlainString())));
        return String.join(", ", parts);
    }

    private static String csv(CatalogTable table) {
        StringBuilder out = new StringBuilder();
        line(out, List.of("task", "builder", "weights", "family", "metrics", "input", "params", "macs", "flops", "data_dependent_macs",
                "weight_bytes", "peak_activation_bytes", "fit_batch", "pareto", "yours", "note"));
        for (CatalogRow row : table.rows()) {
            List<String> metrics = new ArrayList<>();
            row.entry().metrics().forEach((dataset, values) -> values.forEach((k, v) ->
                    metrics.add(dataset + "/" + k + "=" + (v == null ? "" : v.toPlainString()))));
            line(out, List.of(row.entry().task(), row.entry().builder(), row.entry().weights(), row.entry().family(),
                    String.join(";", metrics), inputText(row).orElse(""), Long.toString(row.params()),
                    row.macs().map(String::valueOf).orElse(""), row.flops().map(String::valueOf).orElse(""),
                    row.dataDependentMacs().map(String::valueOf).orElse(""), row.yours() ? "" : Long.toString(row.entry().bytes()),
                    row.peakActivationBytes().map(String::valueOf).orElse(""), row.fitBatch().map(String::valueOf).orElse(""),
                    Boolean.toString(row.pareto()), Boolean.toString(row.yours()), row.note()));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            String f = fields.get(i);
            out.append(i > 0 ? "," : "").append(f.contains(",") || f.contains("\"") || f.contains("\n")
                    ? "\"" + f.replace("\"", "\"\"") + "\"" : f);
        }
        out.append("\r\n");
    }

    static String json(CatalogTable table, String torchvision) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("torchvision", torchvision);
        root.put("task", table.task());
        table.input().ifPresentOrElse(s -> root.set("input", shape(mapper, s)), () -> root.putNull("input"));
        root.put("sort", table.sort().key());
        root.put("paretoCost", table.paretoCost().key());
        if (table.budget() == null) {
            root.putNull("memory");
        } else {
            ObjectNode budget = root.putObject("memory");
            budget.put("bytes", table.budget().bytes());
            budget.put("by", table.budget().by().displayName());
        }
        ArrayNode definitions = root.putArray("definitions");
        DEFINITIONS.forEach(definitions::add);
        if (table.budget() != null) {
            definitions.add(fitDefinition(table.budget()));
        }
        ArrayNode rows = root.putArray("rows");
        for (CatalogRow row : table.rows()) {
            ObjectNode r = rows.addObject();
            WeightsEntry e = row.entry();
            r.put("task", e.task());
            r.put("builder", e.builder());
            r.put("weights", e.weights());
            r.put("family", e.family());
            ObjectNode metrics = r.putObject("metrics");
            for (Map.Entry<String, Map<String, BigDecimal>> dataset : e.metrics().entrySet()) {
                ObjectNode values = metrics.putObject(dataset.getKey());
                dataset.getValue().forEach((k, v) -> {
                    if (v == null) {
                        values.putNull(k);
                    } else {
                        values.put(k, v);
                    }
                });
            }
            e.accuracyMetric().ifPresentOrElse(m -> r.put("accuracyMetric", m), () -> r.putNull("accuracyMetric"));
            // What the Pareto front compares this row on (Pareto): null when the entry publishes no value for it.
            e.benchmark().ifPresentOrElse(b -> {
                ObjectNode metric = r.putObject("paretoMetric");
                metric.put("dataset", b.dataset());
                metric.put("metric", b.metric());
                metric.put("better", b.lowerIsBetter() ? "lower" : "higher");
            }, () -> r.putNull("paretoMetric"));
            row.input().ifPresentOrElse(s -> r.set("input", shape(mapper, s)), () -> r.putNull("input"));
            // The inputs that each take "input", when the graph has several (RAFT: image1, image2); null for one input.
            if (e.inputNames().isEmpty()) {
                r.putNull("inputNames");
            } else {
                ArrayNode names = r.putArray("inputNames");
                e.inputNames().forEach(names::add);
            }
            r.put("params", row.params());
            putLong(r, "graphParams", row.cost().map(CatalogRow.Cost::params));
            putLong(r, "macs", row.macs());
            putLong(r, "flops", row.flops());
            // Detection: the bound of the MACs that depend on the data, beyond the exact "macs"; null when none do.
            putLong(r, "dataDependentMacs", row.dataDependentMacs());
            putLong(r, "weightBytes", row.yours() ? Optional.empty() : Optional.of(e.bytes()));
            putLong(r, "peakActivationBytes", row.peakActivationBytes());
            putLong(r, "fitBatch", row.fitBatch());
            r.put("pareto", row.pareto());
            r.put("yours", row.yours());
            r.put("note", row.note());
        }
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static ArrayNode shape(ObjectMapper mapper, Shape shape) {
        ArrayNode dims = mapper.createArrayNode();
        shape.dims().forEach(dims::add);
        return dims;
    }

    private static void putLong(ObjectNode node, String name, Optional<Long> value) {
        value.ifPresentOrElse(v -> node.put(name, v), () -> node.putNull(name));
    }
}
