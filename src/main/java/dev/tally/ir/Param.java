package dev.tally.ir;

/**
 * A stored tensor of the model, known by its shape and type only; its bytes are never read.
 * {@code name} is the graph value name nodes refer to; {@code sourceName} is the name in the file
 * ({@code features.0.weight}), which may be the same. {@code frozen} marks a parameter whose file says it does not
 * require grad (PyTorch's {@code requires_grad=False}) or that the user named with {@code --frozen}; only a
 * {@link Role#PARAM} can be frozen.
 */
public record Param(String name, String sourceName, Shape shape, DType dtype, Role role, boolean frozen) {
    public Param {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A parameter needs a name.");
        }
        sourceName = sourceName == null || sourceName.isEmpty() ? name : sourceName;
        frozen = frozen && role == Role.PARAM;
    }

    /** A parameter that requires grad, as every file format but TorchScript's says by default. */
    public Param(String name, String sourceName, Shape shape, DType dtype, Role role) {
        this(name, sourceName, shape, dtype, role, false);
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
        return new Param(name, sourceName, shape, dtype, newRole, frozen);
    }

    /** This parameter, frozen or trainable. */
    public Param withFrozen(boolean isFrozen) {
        return new Param(name, sourceName, shape, dtype, role, isFrozen);
    }
}
