package dev.tally.audit;

import dev.tally.load.pytorch.PyGlobal;

/** A global the file references, how worrying it is and why. */
public record Finding(PyGlobal global, Severity severity, String reason) {
}
