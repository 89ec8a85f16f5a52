package dev.tally.audit;

/** How worrying a global referenced by a pickle is. Only DANGEROUS changes the exit code (4). */
public enum Severity {
    /** On the allow-list of globals a plain state_dict needs (tensor rebuilders, storages, OrderedDict). */
    SAFE,
    /** Not known to run code, but outside the allow-list: loading the file imports and calls it. */
    SUSPICIOUS,
    /** Can run commands, code or I/O when Python loads the file. */
    DANGEROUS
}
