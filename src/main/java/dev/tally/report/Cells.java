package dev.tally.report;

import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Optional;

/** Cell texts the text formats (table, csv, markdown) share, so a shape or a missing value reads the same in each. */
public final class Cells {
    /** What a shape or a count reads as when an unsupported op kept it from being known. */
    static final String UNKNOWN = "?";

    private Cells() {
    }

    /** {@code 1x64x56x56}, or {@code ?} when unresolved. */
    static String shape(Optional<Shape> shape) {
        return shape.map(Shape::toDisplayString).orElse(UNKNOWN);
    }

    /** {@code input 1x3x224x224 float32}, with where the shape came from when it is an input. */
    static String tensor(TensorSummary tensor) {
        StringBuilder text = new StringBuilder(tensor.name()).append(' ').append(shape(tensor.shape()));
        tensor.dtype().map(DType::displayName).ifPresent(d -> text.append(' ').append(d));
        if (!tensor.origin().isEmpty()) {
            text.append(" (").append(tensor.origin()).append(')');
        }
        return text.toString();
    }

    /**
     * {@code Conv}, or {@code Conv *} when some node of the row has no count, {@code Gemm <=} when a size in the row
     * depends on the data (its counts are upper bounds).
     */
    static String type(LayerSummary layer) {
        return type(layer.type(), layer.isComplete(), layer.isDataDependent());
    }

    /** {@link #type(LayerSummary)} of a row's type, whether it is complete and whether it depends on the data. */
    static String type(String type, boolean complete, boolean dataDependent) {
        if (complete && !dataDependent) {
            return type; // most rows: no new string per row of a million-row table
        }
        return type + (complete ? "" : " *") + (dataDependent ? " " + DATA_DEPENDENT_MARK : "");
    }

    /** How the shape pass begins the note of a node whose size comes from data values with no bound. */
    public static final String UNBOUNDED = "data-dependent without a bound";

    /** The mark of a row whose counts are upper bounds. */
    static final String DATA_DEPENDENT_MARK = "<=";

    /** The footnote for rows marked data-dependent by {@link #type}. */
    static final String DATA_DEPENDENT_NOTE = "<= a size in this row depends on the data: its counts and shape are upper bounds,"
            + " taken at the bounds listed under Data-dependent below.";

    /**
     * The lines of the Data-dependent section: how much of the chosen count is an upper bound, then each node that
     * introduces a data-dependent size with the bound it states (the first {@code limit}, then how many more).
     */
    public static List<String> dataDependence(DataDependence dependence, String countName, long count, int limit) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add(Units.exact(dependence.nodes()) + (dependence.nodes() == 1 ? " node reads or makes" : " nodes read or make")
                + " a size that depends on the data; their " + Units.exact(count) + " " + countName
                + " (in the totals) are an upper bound.");
        List<DataDependence.Source> sources = dependence.sources();
        for (int i = 0; i < Math.min(limit, sources.size()); i++) {
            DataDependence.Source source = sources.get(i);
            lines.add(source.node() + " (" + source.op() + "): " + source.note());
        }
        if (sources.size() > limit) {
            lines.add("and " + (sources.size() - limit) + " more nodes like these (all in the JSON report).");
        }
        return lines;
    }

    /** The footnote for rows marked by {@link #type}. */
    static final String INCOMPLETE_NOTE = "* some nodes of this row have no count: see the unsupported ops below.";

    /** {@code Foo x3: a, b, c}. */
    static String unsupported(UnsupportedOp op) {
        return op.opType() + " x" + op.count() + ": " + String.join(", ", op.nodes());
    }

    /** {@code "Unresolved: 4 nodes ..."} when nodes have a rule but could not be counted. */
    static String unresolved(int nodes) {
        return nodes + (nodes == 1 ? " node has" : " nodes have") + " a rule but no count, because an unsupported op"
                + " or a size without a bound feeds "
                + (nodes == 1 ? "it" : "them") + "; the totals leave "
                + (nodes == 1 ? "it" : "them") + " out.";
    }

    /**
     * The receptive-field cells of a row: size and jump per spatial axis ({@code 140x140}, {@code 16x16}) and the input
     * rows neuron i sees ({@code 16i-62..16i+77}; one entry per axis when the axes differ); "whole input" after global
     * pooling, a trailing "*" when the inputs of an add or concat have different jumps.
     */
    public static List<String> receptiveField(dev.tally.analysis.ReceptiveField field) {
        if (field == null) {
            return List.of("-", "-", "-");
        }
        String mark = field.jumpsDiffer() ? " *" : "";
        if (field.wholeInput()) {
            return List.of("all", "-", "whole input" + mark);
        }
        List<String> rows = new java.util.ArrayList<>();
        for (int axis = 0; axis < field.axes(); axis++) {
            rows.add(field.describe(axis));
        }
        boolean same = rows.stream().distinct().count() == 1;
        return List.of(join(field.size()), join(field.jump()), (same ? rows.get(0) : String.join(" ; ", rows)) + mark);
    }

    private static String join(List<Long> values) {
        return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining("x"));
    }
}
