package dev.tally.report;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tally.analysis.ReceptiveField;
import dev.tally.ir.LongList;
import java.util.List;

/**
 * The JSON report's layer rows as text, written straight into a StringBuilder: the very characters Jackson's generator
 * writes for them with the report's pretty printer ({@link JsonRenderer}), inside the report's {@code "layers"} array
 * (two spaces a level, {@code ": "} after a field name, arrays on one line as {@code [ 1, 64 ]}). Jackson's generator
 * made every name and number into chars, then the rows' StringBuilder made them bytes again, which was most of the
 * million-row JSON report's time (issue 14's chain). {@code JsonRowsTest} compares this with the generator's rows.
 */
final class JsonRows {
    private JsonRows() {
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive), as they follow row {@code from - 1} (or the array's {@code [}). */
    static void write(StringBuilder out, Summary summary, LayerTable layers, int from, int to) {
        List<Long> liveAfter = summary.liveAfter();
        LongList live = liveAfter instanceof LongList list ? list : null;
        // Consecutive rows often show one Shape object (an elementwise op passes its input's on): its text made once.
        dev.tally.ir.Shape lastShape = null;
        String lastShapeText = null;
        // Fields read from the columns by index: a LayerSummary and an Optional per row were garbage on a million rows.
        for (int index = from; index < to; index++) {
            String name = layers.name(index);
            // The array's first value follows "[ ", the others ", ": the pretty printer's fixed-space array indenter.
            out.append(index == 0 ? " {" : ", {");
            out.append("\n    \"name\": ");
            string(out, name);
            out.append(",\n    \"type\": ");
            string(out, layers.type(index));
            out.append(",\n    \"outputShape\": ");
            dev.tally.ir.Shape shape = layers.shape(index);
            if (shape == null) {
                out.append("null");
            } else {
                if (shape != lastShape) {
                    StringBuilder text = new StringBuilder();
                    longs(text, shape.dims());
                    lastShape = shape;
                    lastShapeText = text.toString();
                }
                out.append(lastShapeText);
            }
            // Each field's separator, indent and name as one literal: one append each, not three.
            out.append(",\n    \"params\": ").append(layers.params(index));
            out.append(",\n    \"buffers\": ").append(layers.buffers(index));
            out.append(",\n    \"paramBytes\": ").append(layers.paramBytes(index));
            out.append(",\n    \"macs\": ").append(layers.macs(index));
            out.append(",\n    \"flops\": ").append(layers.flops(index));
            out.append(",\n    \"ops\": ").append(layers.ops(index));
            out.append(",\n    \"activationBytes\": ").append(layers.activationBytes(index));
            out.append(",\n    \"nodes\": ").append(layers.nodes(index));
            out.append(",\n    \"uncountedNodes\": ").append(layers.uncountedNodes(index));
            if (index < liveAfter.size()) {
                out.append(",\n    \"liveBytesAfter\": ").append(live != null ? live.at(index) : liveAfter.get(index));
            }
            ReceptiveField field = summary.receptiveFields().isEmpty() ? null : summary.receptiveFields().get(name);
            if (field != null) {
                out.append(",\n    \"receptiveField\": {");
                if (field.wholeInput()) {
                    out.append("\n      \"wholeInput\": true");
                } else {
                    out.append("\n      \"size\": ");
                    longs(out, field.size());
                    out.append(",\n      \"jump\": ");
                    longs(out, field.jump());
                    out.append(",\n      \"start\": ");
                    longs(out, field.start());
                }
                if (field.jumpsDiffer()) {
                    out.append(",\n      \"jumpsDiffer\": true");
                }
                out.append("\n    }");
            }
            if (layers.isDataDependent(index)) {
                number(out, "dataDependentNodes", layers.dataDependentNodes(index));
            }
            if (layers.frozenParams(index) > 0) {
                number(out, "frozenParams", layers.frozenParams(index));
            }
            out.append("\n  }");
        }
    }

    private static void number(StringBuilder out, String field, long value) {
        out.append(",\n    \"").append(field).append("\": ").append(value);
    }

    /** {@code [ 1, 64, 112, 112 ]}; {@code [ ]} when empty. */
    private static void longs(StringBuilder out, List<Long> values) {
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? " " : ", ").append(values.get(i).longValue());
        }
        out.append(" ]");
    }

    /** {@code text} quoted and escaped as the generator escapes it (quote, backslash and control characters only). */
    static void string(StringBuilder out, String text) {
        out.append('"');
        if (plain(text)) {
            out.append(text);
        } else {
            out.append(JsonStringEncoder.getInstance().quoteAsString(text));
        }
        out.append('"');
    }

    /** Whether no character of {@code text} is escaped: none below a space, no quote, no backslash. */
    private static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < ' ' || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
