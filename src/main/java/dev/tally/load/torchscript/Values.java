package dev.tally.load.torchscript;

import dev.tally.analysis.TensorInfo;
import dev.tally.load.pytorch.TorchObject;
import java.util.List;

/**
 * What the interpreter's variables hold besides Python scalars ({@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@code null}), lists ({@link java.util.List}) and dicts ({@link java.util.Map}).
 */
final class Values {
    private Values() {
    }

    /** A tensor: a graph value name, with its type and shape when the shape rules could work them out. */
    record TensorValue(String name, TensorInfo info) {
        boolean known() {
            return info != null;
        }
    }

    /** A Python tuple. */
    record TupleValue(List<Object> items) {
        TupleValue {
            items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
        }
    }

    /**
     * A quantized module's packed params ({@code torch.classes.quantized.Conv2dPackedParamsBase} and
     * {@code LinearPackedParamsBase}): the weight, the bias ({@code null} when there is none) and, for a convolution,
     * the geometry its prepack was given ({@code stride}, {@code padding}, {@code dilation}, {@code groups}).
     */
    record PackedParams(TensorValue weight, TensorValue bias, java.util.Map<String, Object> geometry) {}

    /** A submodule, with its module path ({@code features.0}; empty for the root). */
    record ModuleValue(TorchObject object, String path) {}

    /** A dotted name not bound to a value: {@code torch}, {@code ops.prim}, {@code __torch__.torch.nn.functional}. */
    record Namespace(String path) {
        Namespace child(String name) {
            return new Namespace(path + "." + name);
        }
    }

    /**
     * An instance of a TorchScript class that is not a module ({@code ImageList}, made by {@code __new__} and filled by
     * its {@code __init__}): its class and its fields, which its code assigns. Compared by identity, as Python does.
     */
    static final class ObjectValue {
        private final String className;
        private final java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();

        ObjectValue(String className) {
            this.className = className;
        }

        String className() {
            return className;
        }

        java.util.Map<String, Object> fields() {
            return fields;
        }
    }

    /** {@code (object).method} of a class instance before it is called. */
    record BoundObjectMethod(ObjectValue self, String name) {}

    /** {@code (self).method} before it is called. */
    record BoundMethod(ModuleValue self, String name) {}

    /**
     * A Python int computed from a tensor's values or from a data-dependent size, which Tally knows only by its bound
     * (docs/conventions.md, "Data-dependent sizes"): {@code bound}, the largest value it can take, and {@code tensor},
     * a 0-d int64 graph value holding it (data-dependent, its value the bound), so the sizes made from it are
     * data-dependent too. An int[] argument holding one becomes a shape tensor, as torch.onnx writes a size computed at
     * run time; Python arithmetic and comparisons on it give a value not known statically.
     */
    record BoundedInt(long bound, TensorValue tensor) {}

    /** A value Tally cannot compute statically (a shape no rule resolved yet, a tensor's data). */
    enum Unknown { VALUE }

    /**
     * A Python int read from a data-dependent size ({@code boxes.size(0)} after a boolean-mask index): not known, but
     * at least 0 and at most {@code bound}, the size at the bound the shape rules stated. Arithmetic and comparisons
     * keep the bound where they can ({@link BoundedInts}); an op that takes it as a size uses the bound and marks its
     * outputs data-dependent (docs/conventions.md, "Data-dependent sizes").
     */
    record Bounded(long bound) {
        Bounded {
            if (bound < 0) {
                throw new IllegalArgumentException("A size bound of " + bound + " is below 0.");
            }
        }
    }

    /**
     * The slices of a data-dependent tensor along {@code dim} ({@code torch.unbind(boxes, 1)}): how many there are is a
     * size of the data, so they are made only when the code unpacks them into as many names as that axis' bound
     * (torchvision's {@code xmin, ymin, xmax, ymax = boxes.unbind(1)}), which a run that does not raise has.
     */
    record Pieces(TensorValue tensor, long dim) {}

    /**
     * A truth value that depends on the data: a comparison of a {@link Bounded} int its bound does not decide. An
     * {@code if} on it follows both branches (docs/conventions.md, "TorchScript code the interpreter cannot follow").
     *
     * @param atBound its value when every size is at its bound, which decides between branch values that cannot be
     *                merged (a rank 2 and a rank 3 tensor), as ONNX's If does
     */
    record Undecided(boolean atBound) {}
}
