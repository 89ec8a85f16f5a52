package dev.tally.ir;

/** An op has no rule and {@code --strict} asked for that to be an error. Exit code 2. */
public class UnsupportedOpException extends TallyException {
    public UnsupportedOpException(String message) {
        super(message);
    }
}
