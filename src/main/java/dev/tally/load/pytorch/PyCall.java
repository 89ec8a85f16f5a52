package dev.tally.load.pytorch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A call the pickle asks for and the reader does not perform: an allowed global with no meaning for Tally
 * ({@code torch.device('cpu')}), or, when the reader only records, a global outside the allow-list. It is inert
 * data: the callee's name, its arguments, and any state BUILD gave it.
 */
public record PyCall(PyGlobal callee, List<Object> args, boolean allowed, List<Object> states) {
    public PyCall {
        args = java.util.Collections.unmodifiableList(new ArrayList<>(args));
        states = new ArrayList<>(states);
    }

    /** Identity, as Python's objects: a call's arguments may contain the call itself, and hashing them would never end. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    static PyCall of(PyGlobal callee, Object[] args, boolean allowed) {
        return new PyCall(callee, Arrays.asList(args), allowed, List.of());
    }
}
