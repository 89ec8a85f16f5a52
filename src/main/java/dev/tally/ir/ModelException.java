package dev.tally.ir;

/** The model file cannot be read or analysed as it is: not a model, truncated, inconsistent. Exit code 2. */
public class ModelException extends TallyException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
