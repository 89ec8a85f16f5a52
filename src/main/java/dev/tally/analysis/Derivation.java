package dev.tally.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a figure follows from the layer's own numbers, line by line, as a person writes it on a worksheet:
 * {@code params = (K_h x K_w x C_in/g + 1) x C_out = (11 x 11 x 3 + 1) x 64 = 23,296}. Rules build it beside their
 * shape and cost rules ({@link OpRule#derive}); {@code tally explain} renders it in text, markdown, LaTeX or JSON; a
 * test re-evaluates every printed line against the rule's figures.
 *
 * @param subject what is derived: the op ({@code Conv}) or the question ({@code largest batch})
 * @param lines   the lines in order; empty when {@code missing} says why
 * @param missing why there is no derivation ({@code No derivation for op 'Shape'.}); never a wrong one instead
 */
public record Derivation(String subject, List<Line> lines, Optional<String> missing) {

    public Derivation {
        lines = List.copyOf(lines);
        if (missing.isPresent() != lines.isEmpty()) {
            throw new IllegalArgumentException("A derivation has lines or says why it has none, not both.");
        }
    }

    /** What a line derives, so that a reader can pick the count of one convention or check params. */
    public enum Quantity {
        /** An output size ({@code H_out}) or another intermediate that later lines use. */
        SIZE,
        /** A part of the params ({@code weights}, {@code bias}) or, labelled {@code params}, their total. */
        PARAMS,
        /** Buffers (BatchNorm running statistics): not params. */
        BUFFERS,
        MACS,
        FLOPS,
        OPS,
        /** Activation bytes. */
        MEMORY,
        /** Anything else ({@code fit}'s batch, a total). */
        RESULT,
        /** A receptive field's size, jump or start, composed from the layer below ({@code --receptive-field}). */
        RECEPTIVE_FIELD
    }

    /**
     * One line: {@code label = expr in symbols = expr in numbers = value unit}.
     *
     * @param unit {@code B} for bytes, empty for a plain count
     * @param note a short remark printed after the value, empty for none
     */
    public record Line(Quantity quantity, String label, Expr expr, String unit, String note) {
        public Line {
            if (label == null || label.isEmpty()) {
                throw new IllegalArgumentException("A derivation line needs a label.");
            }
            unit = unit == null ? "" : unit;
            note = note == null ? "" : note;
        }

        public long value() {
            return expr.value();
        }
    }

    /** The one-line answer for an op whose rule does not derive its figures. */
    public static Derivation none(String op) {
        return new Derivation(op, List.of(), Optional.of("No derivation for op '" + op + "'."));
    }

    public static Builder of(String subject) {
        return new Builder(subject);
    }

    public boolean isPresent() {
        return missing.isEmpty();
    }

    /** The last line of {@code quantity} labelled {@code label}, if any. */
    public Optional<Line> line(Quantity quantity, String label) {
        Line found = null;
        for (Line line : lines) {
            if (line.quantity() == quantity && line.label().equals(label)) {
                found = line;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The last line of {@code quantity}, if any. */
    public Optional<Line> line(Quantity quantity) {
        Line found = null;
        for (Line line : lines) {
            if (line.quantity() == quantity) {
                found = line;
            }
        }
        return Optional.ofNullable(found);
    }

    /** A copy with {@code more} lines at the end. */
    public Derivation plus(List<Line> more) {
        if (!isPresent()) {
            throw new IllegalStateException("Cannot add lines to a missing derivation.");
        }
        List<Line> all = new ArrayList<>(lines);
        all.addAll(more);
        return new Derivation(subject, all, Optional.empty());
    }

    /**
     * Builds a derivation line by line; other commands use it to explain their answers, e.g. {@code tally fit}:
     * {@code Derivation.of("largest batch").line(RESULT, "B", floor(times(num(12), power(num(2), num(30))), ...), "")}.
     */
    public static final class Builder {
        private final String subject;
        private final List<Line> lines = new ArrayList<>();

        private Builder(String subject) {
            this.subject = subject;
        }

        public Builder line(Quantity quantity, String label, Expr expr) {
            return line(quantity, label, expr, "", "");
        }

        public Builder line(Quantity quantity, String label, Expr expr, String unit) {
            return line(quantity, label, expr, unit, "");
        }

        public Builder line(Quantity quantity, String label, Expr expr, String unit, String note) {
            lines.add(new Line(quantity, label, expr, unit, note));
            return this;
        }

        public Derivation build() {
            if (lines.isEmpty()) {
                throw new IllegalStateException("A derivation of " + subject + " needs at least one line.");
            }
            return new Derivation(subject, lines, Optional.empty());
        }
    }
}
