package dev.tally.analysis;

import dev.tally.ir.ModelException;

/**
 * A rule needs the values of an input (a Resize's sizes, a Reshape's target) that the shape pass does not know. When
 * those values come from the data (a box's size after NonMaxSuppression), the shape pass lists the node as
 * data-dependent without a bound instead of stopping; otherwise the model cannot be analysed as it is.
 */
public final class UnknownValuesException extends ModelException {
    private final String input;

    public UnknownValuesException(String message, String input) {
        super(message);
        this.input = input;
    }

    /** The input, by its spec name, whose values are not known. */
    public String input() {
        return input;
    }
}
