package dev.tally.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * What a pickle would have built by calling a global: the call is recorded, never made. Whole pickled
 * modules ({@code torch.save(model)}) arrive as these, their {@code __dict__} in {@code state}.
 */
public final class PickledObject {
    private final GlobalRef type;
    private final List<Object> args;
    private Object state;

    PickledObject(GlobalRef type, List<Object> args) {
        this.type = type;
        this.args = new ArrayList<>(args);
    }

    public GlobalRef type() {
        return type;
    }

    public List<Object> args() {
        return args;
    }

    /** What BUILD gave it (a dict for most objects), or null. */
    public Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    @Override
    public String toString() {
        return type.qualifiedName() + "(...)";
    }
}
