package dev.tally.load.pytorch;

/** A global a pickle names ({@code GLOBAL 'torch._utils' '_rebuild_tensor_v2'}): only a name, never resolved to code. */
public record PyGlobal(String module, String name) {
    /** {@code module.name}, as Python writes it. */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
