package dev.tally.ir;

/**
 * The root of Tally's errors. Messages are one sentence that names the file, the node and the fix when known;
 * the CLI maps each subclass to an exit code in one place and never prints a stack trace for these.
 */
public class TallyException extends RuntimeException {
    public TallyException(String message) {
        super(message);
    }

    public TallyException(String message, Throwable cause) {
        super(message, cause);
    }
}
