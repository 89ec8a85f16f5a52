package dev.tally.load.pytorch;

/**
 * One thing a pickle makes Python import or call, recorded when the reader meets it: a global, or a construct
 * such as calling the result of a call, named as a pseudo-global ({@code builtins.getattr(...)}).
 *
 * @param global the global as written (module and name), never resolved to code
 * @param opcode the opcode that imports or calls it ({@code STACK_GLOBAL}, {@code REDUCE}, {@code EXT1})
 * @param record the pickle it is in ({@code archive/data.pkl}, {@code the object pickle})
 * @param offset the byte of that opcode in the pickle, from 0
 */
public record PickleUse(PyGlobal global, String opcode, String record, long offset) {
    /** {@code byte 42 of 'archive/data.pkl'}. */
    public String where() {
        return "byte " + offset + " of '" + record + "'";
    }
}
