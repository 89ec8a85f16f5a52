package dev.tally.load.pytorch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object of a TorchScript class ({@code __torch__.torchvision.models.alexnet.AlexNet}) as a plain record of
 * its attributes; the class is only a name, never looked up or run. The reader fills the attributes when the
 * pickle's BUILD gives them; a class with its own {@code __setstate__} gets a non-dict state, kept in {@link #states}.
 */
public final class TorchObject {
    private final String className;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final List<Object> states = new ArrayList<>();

    public TorchObject(String className) {
        this.className = className;
    }

    /** The qualified class name, {@code __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d}. */
    public String className() {
        return className;
    }

    /** Attributes in the order the pickle gives them. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    public List<Object> states() {
        return states;
    }

    @Override
    public String toString() {
        return className + attributes.keySet();
    }
}
