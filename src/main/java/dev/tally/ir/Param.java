package dev.tally.ir;

/**
 * A stored tensor of the model, known by its shape and type only; its bytes are never read.
 * {@code name} is the graph value name nodes refer to; {@code sourceName} is the name in the file
 * ({@code features.0.weight}), which may be the same.
 */
public record Param(String name, String sourceName, Shape shape, DType dtype, Role role) {
    public Param {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A parameter needs a name.");
        }
        sourceName = sourceName == null || sourceName.isEmpty() ? name : sourceName;
    }

    public Param(String name, Shape shape, DType dtype, Role role) {
        this(name, name, shape, dtype, role);
    }

    public long numel() {
        return shape.numel();
    }

    public long bytes() {
        return Math.multiplyExact(numel(), dtype.byteSize());
    }

    public Param withRole(Role newRole) {
        return new Param(name, sourceName, shape, dtype, newRole);
    }
}
