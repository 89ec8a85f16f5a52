package dev.tally.report;

import dev.tally.analysis.Convention;
import java.util.List;

/**
 * A GitHub-flavoured Markdown report to paste into a pull request or a design note: the layer table, the
 * totals table, then inputs, outputs, notes and unsupported ops as lists.
 */
public final class MarkdownRenderer implements Renderer {

    @Override
    public String render(Summary summary, Convention convention) {
        StringBuilder out = new StringBuilder();
        ModelInfo model = summary.model();
        out.append("### ").append(cell(model.path())).append(" (").append(model.format().displayName());
        if (!model.producer().isEmpty()) {
            out.append(", ").append(cell(model.producer()));
        }
        out.append(")\n\n");
        for (TensorSummary input : summary.inputs()) {
            out.append("- Input: `").append(Cells.tensor(input)).append("`\n");
        }
        for (TensorSummary output : summary.outputs()) {
            out.append("- Output: `").append(Cells.tensor(output)).append("`\n");
        }
        out.append('\n');
        String count = TableRenderer.header(convention);
        row(out, List.of("Layer", "Type", "Output shape", "Params", count, "Activation"));
        out.append("|---|---|---|---:|---:|---:|\n");
        boolean incomplete = false;
        for (LayerSummary layer : summary.layers()) {
            incomplete |= !layer.isComplete();
            row(out, List.of(cell(layer.name()), cell(Cells.type(layer)),
                    layer.nodes() > 0 ? Cells.shape(layer.outputShape()) : "-", Units.exact(layer.params()),
                    Units.exact(layer.count(convention)), Units.bytes(layer.activationBytes())));
        }
        Totals totals = summary.totals();
        row(out, List.of("**Total**", "", "", "**" + Units.exact(totals.params()) + "**",
                "**" + Units.exact(totals.count(convention)) + "**", "**" + Units.bytes(totals.activationBytes()) + "**"));
        if (incomplete) {
            out.append('\n').append(cell(Cells.INCOMPLETE_NOTE)).append('\n');
        }
        out.append('\n');
        row(out, List.of("Total", "Exact", "Readable"));
        out.append("|---|---:|---:|\n");
        row(out, List.of("Params", Units.exact(totals.params()), Units.count(totals.params())));
        row(out, List.of("Trainable params", Units.exact(totals.trainableParams()), Units.count(totals.trainableParams())));
        row(out, List.of("Frozen params", Units.exact(totals.frozenParams()), Units.count(totals.frozenParams())));
        if (summary.model().hasParamsAsTrained()) {
            long asTrained = summary.model().paramsAsTrained();
            row(out, List.of("Params as trained", Units.exact(asTrained), Units.count(asTrained)));
        }
        row(out, List.of("Buffers", Units.exact(totals.buffers()), Units.count(totals.buffers())));
        row(out, List.of("Weight size", Units.exact(totals.paramBytes()) + " B", Units.bytes(totals.paramBytes())));
        for (Convention each : Convention.values()) {
            row(out, List.of(TableRenderer.header(each), Units.exact(totals.count(each)), Units.count(totals.count(each))));
        }
        row(out, List.of("Activation memory", Units.exact(totals.activationBytes()) + " B",
                Units.bytes(totals.activationBytes())));
        row(out, List.of("Largest activation", Units.exact(totals.largestActivationBytes()) + " B",
                Units.bytes(totals.largestActivationBytes())));
        row(out, List.of("Peak activations", Units.exact(totals.peakActivationBytes()) + " B",
                Units.bytes(totals.peakActivationBytes())));
        for (String[] part : TableRenderer.trainingRows(totals)) {
            long bytes = Long.parseLong(part[1]);
            String label = part[0].startsWith("  ") ? "&nbsp;&nbsp;" + part[0].strip() : part[0];
            row(out, List.of(label, Units.exact(bytes) + " B", Units.bytes(bytes)));
        }
        out.append('\n');
        out.append("**").append(count).append("**: ").append(convention.definition())
                .append(". Memory in binary units: 1 KiB = 1024 B, sizes rounded up.\n");
        if (!summary.notes().isEmpty()) {
            out.append("\n**Notes**\n\n");
            summary.notes().forEach(note -> out.append("- ").append(cell(note)).append('\n'));
        }
        if (!summary.isComplete()) {
            out.append("\n**Not counted** (the totals leave these out)\n\n");
            for (UnsupportedOp op : summary.unsupported()) {
                out.append("- no rule for ").append(cell(Cells.unsupported(op))).append('\n');
            }
            if (summary.unresolvedNodes() > 0) {
                out.append("- ").append(Cells.unresolved(summary.unresolvedNodes())).append('\n');
            }
        }
        return out.toString();
    }

    /** A table row of cells already escaped with {@link #cell}. */
    private static void row(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String text : cells) {
            out.append(' ').append(text).append(text.isEmpty() ? "|" : " |");
        }
        out.append('\n');
    }

    /** Escapes what Markdown would read as table syntax or markup in a cell; line breaks become spaces. */
    static String cell(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '|', '\\', '`', '_', '*', '<', '>' -> escaped.append('\\').append(c);
                case '\n', '\r' -> escaped.append(' ');
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
