package dev.tally.ir;

/**
 * The root of Tally's errors. Messages are one sentence that names the file, the node and the fix when known;
 * the CLI maps each subclass to an exit code in one place and never prints a stack trace for these.
 *
 * <p>Messages often quote the model file (a name, a token, a key), and a hostile file can put line breaks, terminal
 * escapes or NUL bytes there: every control or invisible format character is written as a backslash escape
 * (a backslash, x and two hex digits, or u and four), so a message stays one printable line whatever the file holds. Found by the code
 * parser's fuzz test (its message about a NUL byte printed the byte itself).
 */
public class TallyException extends RuntimeException {
    public TallyException(String message) {
        super(printable(message));
    }

    public TallyException(String message, Throwable cause) {
        super(printable(message), cause);
    }

    /** {@code text} with control, format and unassigned characters escaped; null stays null. */
    public static String printable(String text) {
        if (text == null || text.codePoints().noneMatch(TallyException::hidden)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (hidden(c)) {
                out.append(c <= 0xff ? String.format("\\x%02x", c) : String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static boolean hidden(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }
}
