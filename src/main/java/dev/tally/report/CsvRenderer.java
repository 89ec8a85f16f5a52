package dev.tally.report;

import dev.tally.analysis.Convention;
import java.io.IOException;
import java.util.List;

/**
 * One header line, one line per layer and a {@code (total)} line, as RFC 4180 writes them: CRLF line ends, a
 * field quoted when it holds a comma, a quote or a line break, quotes doubled. Every count is a column, so the
 * convention only matters to the other formats. Shapes read {@code 1x64x56x56}; unknown ones are empty.
 */
public final class CsvRenderer implements RowRenderer {
    /** The name of the last line, which holds the totals. */
    public static final String TOTAL_ROW = "(total)";
    private static final String EOL = "\r\n";

    /** Line by line, so a million layers are never held as text. */
    @Override
    public void write(Summary summary, Convention convention, Appendable out) throws IOException {
        int nodes = 0;
        int uncounted = 0;
        line(out, List.of("layer", "type", "outputShape", "params", "buffers", "paramBytes", "macs", "flops", "ops",
                "activationBytes", "nodes", "uncountedNodes"));
        for (LayerSummary layer : summary.layers()) {
            line(out, List.of(layer.name(), layer.type(), layer.outputShape().map(s -> s.toDisplayString()).orElse(""),
                    Long.toString(layer.params()), Long.toString(layer.buffers()), Long.toString(layer.paramBytes()),
                    Long.toString(layer.macs()), Long.toString(layer.flops()), Long.toString(layer.ops()),
                    Long.toString(layer.activationBytes()), Integer.toString(layer.nodes()),
                    Integer.toString(layer.uncountedNodes())));
            nodes += layer.nodes();
            uncounted += layer.uncountedNodes();
        }
        Totals totals = summary.totals();
        line(out, List.of(TOTAL_ROW, "", "", Long.toString(totals.params()), Long.toString(totals.buffers()),
                Long.toString(totals.paramBytes()), Long.toString(totals.macs()), Long.toString(totals.flops()),
                Long.toString(totals.ops()), Long.toString(totals.activationBytes()), Integer.toString(nodes),
                Integer.toString(uncounted)));
    }

    private static void line(Appendable out, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quoted(fields.get(i)));
        }
        out.append(EOL);
    }

    /** A field as RFC 4180 section 2 rules 6 and 7 write it. */
    static String quoted(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
