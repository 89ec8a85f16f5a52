package dev.tally.verify;

/**
 * One cross-check of the static analysis against a real run: what the static passes predicted, what the engine
 * (or the stored bytes) showed, and whether they agree.
 *
 * @param check    what is compared, e.g. {@code output 'output' shape}
 * @param expected the static figure
 * @param actual   the engine's figure, or the first difference when several values are compared at once
 */
public record Check(String check, String expected, String actual, boolean pass) {
    public Check {
        if (check == null || check.isEmpty()) {
            throw new IllegalArgumentException("A check needs a name.");
        }
        expected = expected == null ? "" : expected;
        actual = actual == null ? "" : actual;
    }

    /** A check that passes when the two figures are equal, shown as they are. */
    public static Check equal(String check, Object expected, Object actual) {
        return new Check(check, String.valueOf(expected), String.valueOf(actual), expected.equals(actual));
    }
}
