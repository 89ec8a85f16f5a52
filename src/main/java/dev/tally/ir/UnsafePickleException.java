package dev.tally.ir;

/** A pickle references a global outside the allow-list; nothing was executed. Exit code 2 (the audit reports these as findings instead). */
public class UnsafePickleException extends ModelException {
    private final String global;

    public UnsafePickleException(String message, String global) {
        super(message);
        this.global = global;
    }

    /** The offending global as {@code module.name}. */
    public String global() {
        return global;
    }
}
