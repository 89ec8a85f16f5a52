package dev.tally.report;

import dev.tally.analysis.Convention;
import dev.tally.ir.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The default report, in the spirit of the lecture tables engineers know: one row per layer (type, output
 * shape, params, the chosen count, activation memory), a total row, then the totals of every count with exact
 * integers and readable units, the inputs and outputs, notes, unsupported ops and the convention's definition.
 */
public final class TableRenderer implements RowRenderer {
    /** How many nodes that introduce a data-dependent size the table names; the JSON report has them all. */
    static final int SOURCES_SHOWN = 12;

    private final boolean receptiveField;

    public TableRenderer() {
        this(false);
    }

    /** @param receptiveField whether the layer table adds receptive-field columns ({@code --receptive-field}) */
    public TableRenderer(boolean receptiveField) {
        this.receptiveField = receptiveField;
    }

    @Override
    public void write(Summary summary, Convention convention, Appendable sink) throws IOException {
        StringBuilder out = new StringBuilder();
        ModelInfo model = summary.model();
        out.append("Model: ").append(model.path()).append(" (").append(model.format().displayName());
        if (!model.producer().isEmpty()) {
            out.append(", ").append(model.producer());
        }
        out.append(")\n");
        for (TensorSummary input : summary.inputs()) {
            out.append("Input:  ").append(Cells.tensor(input)).append('\n');
        }
        for (TensorSummary output : summary.outputs()) {
            out.append("Output: ").append(Cells.tensor(output)).append('\n');
        }
        out.append('\n');
        sink.append(out);
        layerTable(sink, summary, convention);
        out.setLength(0);
        out.append('\n');
        totalsBlock(out, summary.totals(), convention, summary.model());
        out.append('\n');
        out.append(header(convention)).append(": ").append(convention.definition()).append(".\n");
        out.append("Memory: activation memory is the bytes the layers allocate at run time (views and in-place ops allocate\n"
                + "nothing); the peak is the most live at once in inference; 1 KiB = 1024 B, sizes rounded up.\n");
        if (!summary.totals().training().isNone()) {
            out.append("Training: one step at the input's batch = params + gradients + optimizer state + the larger of\n"
                    + "(saved activations + backward transient) and the optimizer step's temporaries (docs/conventions.md).\n");
        }
        if (summary.depth() > 0) {
            out.append("Layers are folded to the first ").append(summary.depth())
                    .append(summary.depth() == 1 ? " component" : " components").append(" of their module path (--depth ")
                    .append(summary.depth()).append(").\n");
        }
        if (!summary.notes().isEmpty()) {
            out.append("\nNotes:\n");
            for (String note : summary.notes()) {
                out.append("  - ").append(note).append('\n');
            }
        }
        if (summary.dataDependence().any()) {
            out.append("\nData-dependent (counts at the bounds the graph states, so upper bounds):\n");
            DataDependence dependence = summary.dataDependence();
            long count = convention == Convention.OPS ? dependence.ops()
                    : convention == Convention.FLOPS ? Math.multiplyExact(2L, dependence.macs()) : dependence.macs();
            for (String line : Cells.dataDependence(dependence, header(convention), count, SOURCES_SHOWN)) {
                out.append("  - ").append(line).append('\n');
            }
        }
        if (!summary.isComplete()) {
            out.append("\nNot counted (the totals leave these out):\n");
            for (UnsupportedOp op : summary.unsupported()) {
                out.append("  - no rule for ").append(Cells.unsupported(op)).append('\n');
            }
            for (DataDependence.Source source : summary.dataDependence().sources()) {
                if (source.note().startsWith(Cells.UNBOUNDED)) {
                    out.append("  - ").append(source.node()).append(" (").append(source.op()).append("): ")
                            .append(source.note()).append('\n');
                }
            }
            if (summary.unresolvedNodes() > 0) {
                out.append("  - ").append(Cells.unresolved(summary.unresolvedNodes())).append('\n');
            }
        }
        sink.append(out);
    }

    private void layerTable(Appendable out, Summary summary, Convention convention) throws IOException {
        List<String> headers = new ArrayList<>(List.of("Layer", "Type", "Output shape", "Params", header(convention), "Activation"));
        if (receptiveField) {
            headers.addAll(List.of("RF size", "Jump", "Input rows seen by neuron i"));
        }
        TextTable table = new TextTable(headers.toArray(new String[0]));
        table.alignRight(3, 4, 5);
        // Rows are read from the columns (a built summary's own), never made as LayerSummary objects: on a million-row
        // table each would be garbage, twice per row (widths, then text).
        LayerTable columns = LayerTable.of(summary.layers());
        boolean incomplete = columns.anyIncomplete();
        boolean dependent = columns.anyDataDependent();
        // Rows are made as they are written, twice (widths, then text), never all held at once. Consecutive rows often
        // show the same Shape object (an elementwise op passes its input's on), so its text is made once for a run. The
        // table makes a big block's rows on two threads: the last shape and its text are one immutable pair, so a thread
        // sees either's pair, whole, and the text always matches its shape.
        ShapeText[] last = new ShapeText[1];
        // Likewise each figure column's last number and its text (a chain's rows repeat theirs).
        NumberText[] lastNumbers = new NumberText[3];
        table.rows(columns.size(), i -> {
            String name = columns.name(i);
            String[] cells = new String[headers.size()];
            cells[0] = name;
            cells[1] = Cells.type(columns.type(i), columns.isComplete(i), columns.isDataDependent(i));
            Shape shape = columns.shape(i);
            if (shape == null) {
                cells[2] = columns.nodes(i) > 0 ? Cells.UNKNOWN : "-";
            } else {
                ShapeText known = last[0];
                if (known == null || known.shape() != shape) {
                    known = new ShapeText(shape, shape.toDisplayString());
                    last[0] = known;
                }
                cells[2] = known.text();
            }
            cells[3] = text(lastNumbers, 0, columns.params(i), false);
            cells[4] = text(lastNumbers, 1, columns.count(i, convention), false);
            cells[5] = text(lastNumbers, 2, columns.activationBytes(i), true);
            if (receptiveField) {
                List<String> field = Cells.receptiveField(summary.receptiveFields().get(name));
                for (int k = 0; k < field.size(); k++) {
                    cells[6 + k] = field.get(k);
                }
            }
            return cells;
        });
        table.rule();
        Totals totals = summary.totals();
        List<String> total = new ArrayList<>(List.of("Total", "", "", Units.exact(totals.params()),
                Units.exact(totals.count(convention)), Units.bytes(totals.activationBytes())));
        if (receptiveField) {
            total.addAll(List.of("", "", ""));
        }
        table.row(total);
        table.writeText(out);
        if (incomplete) {
            out.append(Cells.INCOMPLETE_NOTE).append('\n');
        }
        if (dependent) {
            out.append(Cells.DATA_DEPENDENT_NOTE).append('\n');
        }
    }

    private static void totalsBlock(StringBuilder out, Totals totals, Convention convention, ModelInfo model) {
        TextTable block = new TextTable("", "", "");
        block.alignRight(1);
        block.row("Params", Units.exact(totals.params()), readableCount(totals.params()));
        block.row("  trainable", Units.exact(totals.trainableParams()), readableCount(totals.trainableParams()));
        block.row("  frozen", Units.exact(totals.frozenParams()), readableCount(totals.frozenParams()));
        if (model.hasParamsAsTrained()) {
            block.row("  as trained", Units.exact(model.paramsAsTrained()), readableCount(model.paramsAsTrained()));
        }
        block.row("Buffers", Units.exact(totals.buffers()), readableCount(totals.buffers()));
        block.row("Weight size", Units.exact(totals.paramBytes()) + " B",
                readableBytes(totals.paramBytes()));
        for (Convention each : Convention.values()) {
            long count = totals.count(each);
            block.row(header(each) + (each == convention ? " *" : ""), Units.exact(count),
                    readableCount(count));
        }
        block.row("Activation memory", Units.exact(totals.activationBytes()) + " B",
                readableBytes(totals.activationBytes()));
        block.row("Largest activation", Units.exact(totals.largestActivationBytes()) + " B",
                readableBytes(totals.largestActivationBytes()));
        block.row("Peak activations", Units.exact(totals.peakActivationBytes()) + " B",
                readableBytes(totals.peakActivationBytes()));
        for (String[] part : trainingRows(totals)) {
            long bytes = Long.parseLong(part[1]);
            block.row(part[0], Units.exact(bytes) + " B", readableBytes(bytes));
        }
        out.append("Totals (* = the convention shown per layer)\n");
        out.append(block.renderWithoutHeader("  "));
    }

    /**
     * The training memory and its parts, label and bytes, as every renderer lists them; none when there is no
     * training figure.
     */
    static List<String[]> trainingRows(Totals totals) {
        dev.tally.analysis.TrainingMemory t = totals.training();
        if (t.isNone()) {
            return List.of();
        }
        return List.of(
                new String[] {"Training (" + t.optimizer().displayName() + ")", Long.toString(totals.trainingBytes())},
                new String[] {"  params and buffers", Long.toString(t.params())},
                new String[] {"  gradients", Long.toString(t.gradients())},
                new String[] {"  optimizer state", Long.toString(t.optimizerState())},
                new String[] {"  saved activations", Long.toString(t.savedActivations())},
                new String[] {"  backward transient", Long.toString(t.backwardTransient())},
                new String[] {"  optimizer step", Long.toString(t.optimizerStepTransient())});
    }

    /** {@code (61.1 M)}; nothing under 1000, where the exact number says it all. */
    private static String readableCount(long count) {
        return count < 1000 ? "" : "(" + Units.count(count) + ")";
    }

    /** {@code (233.1 MiB)}; nothing under 1 KiB. */
    private static String readableBytes(long bytes) {
        return bytes < 1024 ? "" : "(" + Units.bytes(bytes) + ")";
    }

    /** The column header of a convention: {@code MACs}, {@code FLOPs}, {@code Ops}. */
    static String header(Convention convention) {
        return switch (convention) {
            case MACS -> "MACs";
            case FLOPS -> "FLOPs";
            case OPS -> "Ops";
        };
    }

    private record ShapeText(Shape shape, String text) {
    }

    /** A number and its cell text, {@link Units#exact} or {@link Units#bytes}: one immutable pair, as {@link ShapeText}. */
    private record NumberText(long value, String text) {
    }

    /**
     * The cell text of {@code value} in figure column {@code column}: the column's last text when the value is the
     * same, else made and remembered. Rows are made on two threads: each sees a whole pair or another, and a pair's
     * text is always its value's.
     */
    private static String text(NumberText[] last, int column, long value, boolean bytes) {
        NumberText known = last[column];
        if (known == null || known.value() != value) {
            known = new NumberText(value, bytes ? Units.bytes(value) : Units.exact(value));
            last[column] = known;
        }
        return known.text();
    }
}
