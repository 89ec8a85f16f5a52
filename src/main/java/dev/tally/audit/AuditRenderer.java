package dev.tally.audit;

import dev.tally.load.checkpoint.ArchitectureMatch;
import dev.tally.load.checkpoint.Catalog;
import dev.tally.load.checkpoint.SafetensorsCheckpoint;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Convention;
import dev.tally.ir.UsageException;
import dev.tally.report.Format;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Units;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders an {@link AuditReport} as a table, JSON, Markdown or CSV (the tensor inventory, one row per tensor). */
public final class AuditRenderer {
    public enum Style { TABLE, JSON, MARKDOWN, CSV, SARIF }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_LISTED = 10;

    private AuditRenderer() {
    }

    public static Style style(String name) {
        for (Style format : Style.values()) {
            if (format.name().equalsIgnoreCase(name)) {
                return format;
            }
        }
        throw new UsageException("Unknown format '" + name + "'. Use one of: table, json, markdown, csv, sarif.");
    }

    public static void render(AuditReport report, Style format, PrintWriter out) {
        switch (format) {
            case JSON -> out.println(json(report));
            case CSV -> csv(report, out);
            case MARKDOWN -> text(report, out, true);
            case TABLE -> text(report, out, false);
            case SARIF -> out.println(SarifRenderer.sarif(report));
        }
        out.flush();
    }

    // ---- JSON: the whole report; counts as exact integers.

    public static String json(AuditReport report) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode file = root.putObject("file");
        file.put("path", report.path().toString());
        file.put("format", report.format());
        file.put("version", report.version());
        file.put("bytes", report.fileBytes());
        ObjectNode safety = root.putObject("safety");
        safety.put("severity", report.worst().name().toLowerCase(Locale.ROOT));
        safety.put("exitCode", report.exitCode());
        if (report.valuesRead()) {
            ArrayNode nonFinite = root.putObject("values").putArray("nonFiniteTensors");
            report.nonFinite().forEach(t -> nonFinite.add(t.name()));
        }
        ArrayNode globals = safety.putArray("globals");
        for (Finding f : report.findings()) {
            ObjectNode g = globals.addObject();
            g.put("global", f.global().qualifiedName());
            g.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
            g.put("reason", f.reason());
            g.put("label", f.label());
            g.put("resolved", f.resolved());
            g.put("opcode", f.opcode());
            g.put("where", f.where());
        }
        Inventory inv = report.inventory();
        ObjectNode contents = root.putObject("contents");
        contents.put("stateDict", inv.location());
        ArrayNode others = contents.putArray("otherEntries");
        inv.others().forEach(o -> others.addObject().put("name", o.name()).put("description", o.description()));
        ObjectNode totals = root.putObject("inventory");
        totals.put("tensors", inv.tensors().size());
        totals.put("params", inv.params());
        totals.put("buffers", inv.buffers());
        totals.put("bytes", inv.bytes());
        totals.put("storageBytes", inv.storageBytes());
        ArrayNode dtypes = totals.putArray("dtypes");
        inv.dtypes().forEach(d -> dtypes.addObject().put("dtype", d.dtype().displayName()).put("tensors", d.tensors())
                .put("elements", d.elements()).put("bytes", d.bytes()));
        ArrayNode modules = totals.putArray("modules");
        inv.modules().forEach(m -> modules.addObject().put("name", m.name()).put("tensors", m.tensors()).put("params", m.params())
                .put("buffers", m.buffers()).put("bytes", m.bytes()));
        ArrayNode shared = totals.putArray("sharedStorages");
        for (Inventory.SharedStorage s : inv.sharedStorages()) {
            ObjectNode node = shared.addObject().put("storage", s.storageKey()).put("bytes", s.storageBytes()).put("tied", s.tied());
            s.tensors().forEach(node.putArray("tensors")::add);
        }
        ArrayNode tensors = root.putArray("tensors");
        for (Inventory.TensorEntry t : inv.tensors()) {
            ObjectNode node = tensors.addObject();
            node.put("name", t.name());
            t.shape().forEach(node.putArray("shape")::add);
            node.put("dtype", t.dtype().displayName()).put("role", t.buffer() ? "buffer" : "param").put("numel", t.numel())
                    .put("bytes", t.bytes()).put("storage", t.storageKey()).put("offset", t.offset());
            if (t.stats() != null) {
                ValueStats s = t.stats();
                ObjectNode values = node.putObject("values");
                values.put("nan", s.nan()).put("posInf", s.positiveInfinity()).put("negInf", s.negativeInfinity()).put("finite", s.finite());
                if (s.finite() > 0) {
                    values.put("min", s.min()).put("max", s.max()).put("mean", s.mean());
                }
            }
        }
        ObjectNode match = root.putObject("architecture");
        match.put("match", report.match().kind().name().toLowerCase(Locale.ROOT));
        match.put("keyPrefix", report.match().keyPrefix());
        ArrayNode candidates = match.putArray("candidates");
        for (ArchitectureMatch.Candidate c : report.match().candidates()) {
            ObjectNode node = candidates.addObject();
            node.put("name", c.entry().name()).put("builder", c.entry().builder()).put("params", c.entry().params())
                    .put("score", Math.round(c.score() * 10000) / 10000.0);
            c.missing().forEach(node.putArray("missing")::add);
            c.unexpected().forEach(node.putArray("unexpected")::add);
            ArrayNode diffs = node.putArray("shapeDifferences");
            for (ArchitectureMatch.ShapeDifference d : c.shapeDifferences()) {
                ObjectNode diff = diffs.addObject().put("name", d.name());
                d.checkpointShape().forEach(diff.putArray("checkpoint")::add);
                d.catalogShape().forEach(diff.putArray("catalog")::add);
            }
        }
        if (report.summary().isPresent()) {
            root.set("summary", summaryJson(report.summary().get()));
        } else {
            root.putNull("summary");
            root.put("summaryNote", report.summaryNote());
        }
        report.notes().forEach(root.putArray("notes")::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The summary as the {@code summary} command's JSON contract gives it. */
    private static com.fasterxml.jackson.databind.JsonNode summaryJson(Analysis analysis) {
        try {
            return JSON.readTree(Format.JSON.renderer().render(SummaryBuilder.build(analysis).check(), Convention.MACS));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- CSV: the tensor inventory.

    private static void csv(AuditReport report, PrintWriter out) {
        out.println("name,shape,dtype,role,numel,bytes,storage,offset,nan,posInf,negInf,min,max,mean");
        for (Inventory.TensorEntry t : report.inventory().tensors()) {
            ValueStats s = t.stats();
            out.println(String.join(",", t.name(), shape(t.shape()), t.dtype().displayName(), t.buffer() ? "buffer" : "param",
                    Long.toString(t.numel()), Long.toString(t.bytes()), t.storageKey(), Long.toString(t.offset()),
                    s == null ? "" : Long.toString(s.nan()), s == null ? "" : Long.toString(s.positiveInfinity()),
                    s == null ? "" : Long.toString(s.negativeInfinity()), s == null ? "" : number(s.min()),
                    s == null ? "" : number(s.max()), s == null ? "" : number(s.mean())));
        }
    }

    /**
     * {@code 2 tensors hold NaN or Inf: f32 (1 NaN, 1 +Inf), bf16 (1 NaN)}, without the final period; the first
     * five tensors are named.
     */
    public static String nonFiniteHeadline(AuditReport report) {
        List<Inventory.TensorEntry> bad = report.nonFinite();
        List<String> named = new ArrayList<>();
        for (Inventory.TensorEntry t : bad.subList(0, Math.min(5, bad.size()))) {
            List<String> counts = new ArrayList<>();
            if (t.stats().nan() > 0) {
                counts.add(Units.exact(t.stats().nan()) + " NaN");
            }
            if (t.stats().positiveInfinity() > 0) {
                counts.add(Units.exact(t.stats().positiveInfinity()) + " +Inf");
            }
            if (t.stats().negativeInfinity() > 0) {
                counts.add(Units.exact(t.stats().negativeInfinity()) + " -Inf");
            }
            named.add("'" + t.name() + "' (" + String.join(", ", counts) + ")");
        }
        return report.fileName() + ": " + bad.size() + (bad.size() == 1 ? " tensor holds" : " tensors hold") + " NaN or Inf: "
                + String.join(", ", named) + (bad.size() > named.size() ? " and " + (bad.size() - named.size()) + " more" : "");
    }

    // ---- Table and Markdown: the same sections; Markdown uses headings and pipe tables.

    private static void text(AuditReport report, PrintWriter out, boolean markdown) {
        Inventory inv = report.inventory();
        heading(out, markdown, "Audit of " + report.fileName());
        out.println("File: " + (report.format().equals(SafetensorsCheckpoint.FORMAT) ? "" : "torch.save ") + report.format() + (report.version().isEmpty() ? "" : " (version " + report.version() + ")")
                + ", " + Units.exact(report.fileBytes()) + " bytes.");
        out.println();

        heading(out, markdown, "Safety: " + report.worst().name().toLowerCase(Locale.ROOT));
        long unsafe = report.findings().stream().filter(f -> f.severity() != Severity.SAFE).count();
        out.println(report.findings().size() + " global" + (report.findings().size() == 1 ? "" : "s") + " referenced, "
                + (unsafe == 0 ? "all on the state_dict allow-list." : unsafe + " outside the allow-list. Nothing was executed."));
        long safe = report.findings().size() - unsafe;
        boolean foldSafe = safe > MAX_LISTED; // a TorchScript archive names dozens of its own classes
        List<List<String>> rows = new ArrayList<>();
        String previousReason = null;
        for (Finding f : report.findings()) {
            if (!foldSafe || f.severity() != Severity.SAFE) {
                String where = f.opcode().isEmpty() ? f.where() : f.opcode() + (f.where().isEmpty() ? "" : " at " + f.where());
                // A whole pickled module names a dozen classes for one reason: say the reason once.
                String why = f.reason().equals(previousReason) ? "(same)" : f.reason();
                rows.add(List.of(f.severity().name().toLowerCase(Locale.ROOT), f.global().qualifiedName(), f.label(), where, why));
                previousReason = f.reason();
            }
        }
        if (!rows.isEmpty()) {
            table(out, markdown, List.of("severity", "global", "label", "where", "why"), rows, "lllll");
        }
        if (foldSafe) {
            out.println((markdown ? "" : "  ") + safe + " safe globals not listed (--format json lists every one).");
        }
        out.println();

        if (report.valuesRead()) {
            heading(out, markdown, "Values: " + (report.nonFinite().isEmpty() ? "all finite" : "NaN or Inf found"));
            out.println(report.nonFinite().isEmpty() ? "No tensor holds NaN or an infinity."
                    : nonFiniteHeadline(report) + " (exit code 5).");
            out.println();
        }

        heading(out, markdown, "Contents");
        out.println(inv.tensors().isEmpty() ? "No state_dict found." : "state_dict" + (inv.location().isEmpty() ? " (the whole file)" : " at '" + inv.location() + "'")
                + ": " + inv.tensors().size() + " tensors, " + Units.exact(inv.params()) + " params, " + Units.exact(inv.buffers())
                + " buffer elements, " + Units.exact(inv.bytes()) + " bytes (" + Units.bytes(inv.bytes()) + ").");
        for (OtherEntry other : inv.others()) {
            out.println((markdown ? "- " : "  also ") + other.name() + ": " + other.description());
        }
        out.println();

        heading(out, markdown, "Architecture");
        architecture(report.match(), out, markdown);
        out.println();

        heading(out, markdown, "Tensors");
        rows = new ArrayList<>();
        for (Inventory.TensorEntry t : inv.tensors()) {
            List<String> row = new ArrayList<>(List.of(t.name(), shape(t.shape()), t.dtype().displayName(), t.buffer() ? "buffer" : "param",
                    Units.exact(t.numel()), Units.exact(t.bytes())));
            if (report.valuesRead()) {
                ValueStats s = t.stats();
                row.addAll(s == null ? List.of("", "", "", "", "") : List.of(Long.toString(s.nan()),
                        Long.toString(s.positiveInfinity() + s.negativeInfinity()), number(s.min()), number(s.max()), number(s.mean())));
            }
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("name", "shape", "dtype", "role", "elements", "bytes"));
        if (report.valuesRead()) {
            header.addAll(List.of("nan", "inf", "min", "max", "mean"));
        }
        table(out, markdown, header, rows, report.valuesRead() ? "llllrrrrrrr" : "llllrr");
        out.println();

        heading(out, markdown, "Per top-level module");
        rows = new ArrayList<>();
        for (Inventory.ModuleTotal m : inv.modules()) {
            rows.add(List.of(m.name(), Integer.toString(m.tensors()), Units.exact(m.params()), Units.exact(m.buffers()), Units.exact(m.bytes())));
        }
        rows.add(List.of("total", Integer.toString(inv.tensors().size()), Units.exact(inv.params()), Units.exact(inv.buffers()), Units.exact(inv.bytes())));
        table(out, markdown, List.of("module", "tensors", "params", "buffers", "bytes"), rows, "lrrrr");
        out.println();
        out.println("Dtypes: " + inv.dtypes().stream().map(d -> d.dtype().displayName() + " " + d.tensors() + " tensors, "
                + Units.bytes(d.bytes())).collect(Collectors.joining("; ")) + ".");
        if (inv.sharedStorages().isEmpty()) {
            out.println("Shared storages: none; every tensor has its own.");
        } else {
            for (Inventory.SharedStorage s : inv.sharedStorages()) {
                out.println("Shared storage '" + s.storageKey() + "' (" + Units.bytes(s.storageBytes()) + "): "
                        + String.join(", ", s.tensors()) + (s.tied() ? " (the same tensor: tied weights, counted once)" : " (views of one storage)"));
            }
        }
        out.println();

        if (report.summary().isPresent()) {
            heading(out, markdown, "Summary (catalog graph, checkpoint shapes)");
            summaryTable(report.summary().get(), out, markdown);
        } else {
            out.println("Summary: none (" + report.summaryNote() + ").");
        }
        if (!report.notes().isEmpty()) {
            out.println();
            heading(out, markdown, "Notes");
            report.notes().forEach(n -> out.println((markdown ? "- " : "") + n));
        }
    }

    private static void architecture(ArchitectureMatch match, PrintWriter out, boolean markdown) {
        if (match.kind() == ArchitectureMatch.Kind.NONE) {
            out.println("No catalog architecture shares enough keys and shapes with this state_dict.");
            return;
        }
        if (match.kind() == ArchitectureMatch.Kind.EXACT) {
            ArchitectureMatch.Candidate c = match.candidates().get(0);
            out.println("Exact match: " + origin(c.entry()) + " " + c.entry().name() + ", " + Units.exact(c.entry().params()) + " params ("
                    + c.entry().builder() + ")." + (match.candidates().size() > 1 ? " Also identical: "
                    + match.candidates().stream().skip(1).map(x -> x.entry().name()).collect(Collectors.joining(", ")) + "." : ""));
            return;
        }
        out.println("No exact match; the closest catalog architectures:");
        int rank = 1;
        for (ArchitectureMatch.Candidate c : match.candidates()) {
            out.println((markdown ? rank + ". " : "  " + rank + ". ") + origin(c.entry()) + " " + c.entry().name() + ": "
                    + String.format(Locale.ROOT, "%.1f%%", c.score() * 100) + " of keys and shapes agree.");
            for (ArchitectureMatch.ShapeDifference d : limit(c.shapeDifferences())) {
                out.println(indent(markdown) + d.name() + " " + d.checkpointShape() + " instead of " + d.catalogShape());
            }
            more(out, markdown, c.shapeDifferences().size(), "shape differences");
            listKeys(out, markdown, "missing", c.missing());
            listKeys(out, markdown, "unexpected", c.unexpected());
            rank++;
        }
    }

    private static String origin(Catalog.Entry entry) {
        return entry.builder().startsWith("torchvision") ? "torchvision" : "Tally catalog";
    }

    private static <T> List<T> limit(List<T> items) {
        return items.size() <= MAX_LISTED ? items : items.subList(0, MAX_LISTED);
    }

    private static void listKeys(PrintWriter out, boolean markdown, String what, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        out.println(indent(markdown) + what + " (" + keys.size() + "): " + String.join(", ", limit(keys)) + (keys.size() > MAX_LISTED ? ", ..." : ""));
    }

    private static void more(PrintWriter out, boolean markdown, int count, String what) {
        if (count > MAX_LISTED) {
            out.println(indent(markdown) + "... and " + (count - MAX_LISTED) + " more " + what);
        }
    }

    private static String indent(boolean markdown) {
        return markdown ? "   - " : "       ";
    }

    /** The same table {@code tally summary} prints for a model file. */
    private static void summaryTable(Analysis analysis, PrintWriter out, boolean markdown) {
        Format format = markdown ? Format.MARKDOWN : Format.TABLE;
        out.print(format.renderer().render(SummaryBuilder.build(analysis).check(), Convention.MACS));
    }

    private static void heading(PrintWriter out, boolean markdown, String title) {
        out.println(markdown ? "## " + title : title);
        if (markdown) {
            out.println();
        }
    }

    private static void table(PrintWriter out, boolean markdown, List<String> header, List<List<String>> rows, String align) {
        if (markdown) {
            out.println("| " + String.join(" | ", header) + " |");
            StringBuilder rule = new StringBuilder("|");
            for (int i = 0; i < header.size(); i++) {
                rule.append(align.charAt(i) == 'r' ? "---:|" : "---|");
            }
            out.println(rule);
            rows.forEach(r -> out.println("| " + r.stream().map(c -> c.replace("|", "\\|")).collect(Collectors.joining(" | ")) + " |"));
            return;
        }
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        out.println(line(header, widths, align));
        rows.forEach(r -> out.println(line(r, widths, align)));
    }

    private static String line(List<String> cells, int[] widths, String align) {
        StringBuilder text = new StringBuilder(" ");
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            text.append(' ').append(align.charAt(i) == 'r' ? pad + cell : cell + (i == cells.size() - 1 ? "" : pad)).append(' ');
        }
        return text.toString().stripTrailing();
    }

    private static String shape(List<Long> shape) {
        return shape.stream().map(String::valueOf).collect(Collectors.joining("x", "[", "]"));
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.6g", value);
    }
}
