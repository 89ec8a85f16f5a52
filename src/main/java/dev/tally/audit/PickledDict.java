package dev.tally.audit;

import java.util.LinkedHashMap;

/** A dict-like object a pickle builds ({@code collections.OrderedDict}); keeps insertion order as Python does. */
public final class PickledDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;
    private final GlobalRef type;

    PickledDict(GlobalRef type) {
        this.type = type;
    }

    public GlobalRef type() {
        return type;
    }
}
