package dev.tally.ir;

/** The user's options are wrong (an unparsable --input, an unknown convention). Exit code 2. */
public class UsageException extends TallyException {
    public UsageException(String message) {
        super(message);
    }
}
