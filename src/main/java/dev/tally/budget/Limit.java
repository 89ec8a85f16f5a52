package dev.tally.budget;

import dev.tally.report.Units;

/**
 * An upper bound on one figure: the check passes when the figure is at most {@code max}.
 *
 * @param text the limit as the user wrote it ({@code 62M}), shown beside the exact value in messages
 */
public record Limit(Figure figure, long max, String text) {
    public Limit {
        if (max < 0) {
            throw new IllegalArgumentException("A limit cannot be negative: " + max + ".");
        }
        text = text == null || text.isEmpty() ? Long.toString(max) : text;
    }

    /** The limit {@code text} sets on {@code figure}, in the units of the figure's kind. */
    public static Limit parse(Figure figure, String text) {
        return new Limit(figure, figure.kind() == Figure.Kind.COUNT ? Units.parseCount(text) : Units.parseBytes(text), text.strip());
    }
}
