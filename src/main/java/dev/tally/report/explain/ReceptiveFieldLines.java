package dev.tally.report.explain;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Derivation.Line;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.ReceptiveField;
import dev.tally.analysis.ReceptiveFieldPass;
import dev.tally.analysis.ReceptiveFieldPass.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's receptive field derived from the layer below ({@code tally explain --receptive-field}), per spatial axis,
 * from what {@link ReceptiveFieldPass} recorded when it composed the field (docs/conventions.md, "Receptive field"):
 * {@code RF size = r_in + D x (K - 1) x j_in}, {@code jump = j_in x S}, {@code start = s_in - P x j_in}, with the rows
 * one neuron sees as the note. The pass does the composing; this class only writes it out.
 */
final class ReceptiveFieldLines {
    private ReceptiveFieldLines() {
    }

    /**
     * The lines for {@code step}.
     *
     * @param inputExtent the model input's spatial sizes, for a field that covers the whole input
     */
    static List<Line> of(ReceptiveFieldPass.Step step, List<Long> inputExtent) {
        List<Line> lines = new ArrayList<>();
        ReceptiveField out = step.field();
        if (step.kind() == Kind.WHOLE || out.wholeInput()) {
            List<Expr> factors = new ArrayList<>();
            List<String> names = axisNames(inputExtent.size());
            for (int a = 0; a < inputExtent.size(); a++) {
                factors.add(term(names.get(a).isEmpty() ? "L_in" : names.get(a).toUpperCase(java.util.Locale.ROOT) + "_in",
                        inputExtent.get(a)));
            }
            lines.add(line("RF positions", Expr.product(factors), note(step, step.input().wholeInput()
                    ? "whole input, as its input" : "whole input: every position of the model input")));
            return lines;
        }
        int axes = out.axes();
        boolean alike = true;
        for (int a = 1; a < axes; a++) {
            alike &= axis(step, a).equals(axis(step, 0));
        }
        List<String> names = axisNames(axes);
        for (int a = 0; a < (alike ? 1 : axes); a++) {
            String suffix = alike || names.get(a).isEmpty() ? "" : "_" + names.get(a);
            Expr r = term("r_in", step.input().size().get(a));
            Expr j = term("j_in", step.input().jump().get(a));
            Expr s = term("s_in", step.input().start().get(a));
            String rows = "rows seen " + out.describe(a);
            List<Line> axis = new ArrayList<>();
            switch (step.kind()) {
                case WINDOW, TRANSPOSE -> {
                    Expr d = term("D", step.dilation().get(a));
                    Expr k = term("K", step.kernel().get(a));
                    Expr p = term("P", step.padBegin().get(a));
                    axis.add(line("RF size" + suffix, plus(r, times(d, minus(k, num(1)), j)), ""));
                    axis.add(line("jump" + suffix, times(j, term("S", step.stride().get(a))), ""));
                    axis.add(line("start" + suffix, step.kind() == Kind.WINDOW ? minus(s, times(p, j))
                            : plus(s, times(minus(p, times(d, minus(k, num(1)))), j)), rows));
                }
                case PAD -> {
                    axis.add(line("RF size" + suffix, r, ""));
                    axis.add(line("jump" + suffix, j, ""));
                    axis.add(line("start" + suffix, minus(s, times(term("P", step.padBegin().get(a)), j)), rows));
                }
                default -> axis.add(line("RF size" + suffix, r, "position by position, as its input; " + rows));
            }
            lines.addAll(axis);
        }
        check(lines, step);
        if (step.fieldInputs() > 1) {
            Line first = lines.get(0);
            lines.set(0, new Line(first.quantity(), first.label(), first.expr(), first.unit(), note(step, first.note())));
        }
        return lines;
    }

    /** What decides an axis's lines; axes with equal ones print once, without a subscript. */
    private static List<Object> axis(ReceptiveFieldPass.Step step, int a) {
        return List.of(step.input().size().get(a), step.input().jump().get(a), step.input().start().get(a),
                step.kernel().isEmpty() ? 0L : step.kernel().get(a), step.stride().isEmpty() ? 0L : step.stride().get(a),
                step.padBegin().isEmpty() ? 0L : step.padBegin().get(a),
                step.dilation().isEmpty() ? 0L : step.dilation().get(a));
    }

    /** The lines must give the pass's own field; a mismatch is a bug here, never printed as a derivation. */
    private static void check(List<Line> lines, ReceptiveFieldPass.Step step) {
        for (Line line : lines) {
            String label = line.label();
            int a = label.contains("_") ? axisNames(step.field().axes()).indexOf(label.substring(label.indexOf('_') + 1)) : 0;
            List<Long> expected = label.startsWith("RF size") ? step.field().size()
                    : label.startsWith("jump") ? step.field().jump() : step.field().start();
            if (expected.get(a) != line.value()) {
                throw new IllegalStateException("Receptive-field line '" + label + "' gives " + line.value()
                        + " but the pass composed " + expected.get(a) + ".");
            }
        }
    }

    private static String note(ReceptiveFieldPass.Step step, String note) {
        if (step.fieldInputs() < 2) {
            return note;
        }
        String widest = "widest of " + step.fieldInputs() + " inputs: " + step.inputName()
                + (step.field().jumpsDiffer() ? ", their jumps differ" : "");
        return note.isEmpty() ? widest : widest + "; " + note;
    }

    private static Line line(String label, Expr expr, String note) {
        return new Line(Quantity.RECEPTIVE_FIELD, label, expr, "", note);
    }

    private static List<String> axisNames(int axes) {
        return switch (axes) {
            case 1 -> List.of("");
            case 2 -> List.of("h", "w");
            case 3 -> List.of("d", "h", "w");
            default -> java.util.stream.IntStream.range(0, axes).mapToObj(i -> "a" + i).toList();
        };
    }
}
