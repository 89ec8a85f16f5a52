package dev.tally.audit;

import dev.tally.load.pytorch.PyGlobal;

/**
 * A global the file references (or a construct named as one, {@code builtins.getattr(...)}), how worrying it is
 * and why.
 *
 * @param label    the kind of harm for the report (shell, code execution, file system, network, nested loader,
 *                 importer, pickled module of a known library, ...); the rating itself is the allow-list alone
 * @param resolved the object Python would reach: dotted names resolved as {@code pickle} resolves them
 *                 (module {@code posixpath}, name {@code os.system} is {@code os.system})
 * @param opcode   the opcode that imports or calls it; empty when unknown
 * @param where    where in the file it was first met ({@code byte 42 of 'archive/data.pkl'}); empty when unknown
 */
public record Finding(PyGlobal global, Severity severity, String reason, String label, String resolved, String opcode, String where) {
    public Finding(PyGlobal global, Severity severity, String reason) {
        this(global, severity, reason, "", global.qualifiedName(), "", "");
    }
}
