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

    /** A value Tally cannot compute statically (a shape no rule resolved yet, a tensor's data). */
    enum Unknown { VALUE }

    /**
     * A Python int Tally knows only by its bound (docs/conventions.md, "Data-dependent sizes"): at least 0 and at most
     * {@code bound}. The one bounded-size type of the interpreter (an int that may be below 0 is a {@link Ranged}), for
     * every source: a size read from a data-dependent
     * tensor ({@code boxes.size(0)} after a boolean-mask index, {@code len(unique(labels))}), an int read from a
     * tensor's values ({@code batch_sizes[0]} of a packed sequence, Conformer's {@code max(lengths).item()} with
     * {@code --input lengths=...:maxN}), the index of a loop whose trip count is data, and what {@link BoundedInts}
     * computes from them. One set of rules holds for all ({@link BoundedInts}): arithmetic and {@code min}/{@code max}
     * keep a bound, comparisons are decided when the whole range agrees, else {@link Undecided}, anything that could
     * leave the range is {@link Unknown}.
     *
     * @param bound  the largest value it can take
     * @param tensor the 0-d int64 graph value holding it (data-dependent, its value the bound), or null when no node
     *               computes it (a size the shape rules state, a sum of sizes). With one, an int[] argument holding it
     *               becomes a shape tensor, as torch.onnx writes a size computed at run time; without one, an op that
     *               takes it as a size uses the bound and is marked {@code tally.data_dependent}. Either way what it
     *               sizes is data-dependent.
     */
    record Bounded(long bound, TensorValue tensor) {
        Bounded {
            if (bound < 0) {
                throw new IllegalArgumentException("A size bound of " + bound + " is below 0.");
            }
        }

        /** A bounded int no graph value holds. */
        Bounded(long bound) {
            this(bound, null);
        }
    }

    /**
     * A Python int read from values the shape pass bounds on both sides, the lower one below 0 (paste_mask_in_image's
     * {@code int(box[2] - box[0] + 1)} of an expanded box, in [-529, 531] at 256 x 256): known to lie in
     * {@code [low, high]}, and not a size. Only {@link BoundedInts} reads it: min, max, sums, differences, products and
     * negation give its interval again, a {@link Bounded} size once the low end is 0 or more ({@code max(w, 1)}); any
     * other use is {@link Unknown} (docs/conventions.md, "Data-dependent sizes").
     *
     * @param tensor the 0-d int64 graph value holding it, with those value bounds (the int64 values it was read from,
     *               and the Min, Max, Add, Sub, Mul or Neg of such values the interpreter emits for min, max and
     *               arithmetic), or null: with one, a tensor op can take it as an operand ({@code -box[1] + y_1})
     */
    record Ranged(long low, long high, TensorValue tensor) {
        Ranged {
            if (low > high) {
                throw new IllegalArgumentException("An int range [" + low + ", " + high + "] is empty.");
            }
        }

        Ranged(long low, long high) {
            this(low, high, null);
        }
    }

    /** The graph value holding {@code value} when it is a bounded int one holds ({@link Bounded#tensor}), else null. */
    static TensorValue held(Object value) {
        return value instanceof Bounded b ? b.tensor() : null;
    }

    /** Whether {@code value} is a bounded int a graph value holds. */
    static boolean isHeld(Object value) {
        return held(value) != null;
    }

    /**
     * {@code range(n)} of a {@link Bounded} n: a loop over it runs a number of times that depends on the data, at most
     * {@code bound}. Only a {@code for} statement takes it: its body is counted once, {@code bound} times over
     * (docs/conventions.md, "Data-dependent sizes").
     */
    record BoundedRange(long bound) {}

    /**
     * A list made empty before a loop over data whose body appends one tensor to it per iteration (torchvision's
     * {@code paste_masks_in_image}: {@code res.append(paste_mask_in_image(...))} for each box): after the loop it holds
     * a number of tensors that depends on the data, at most {@code bound}, each of {@code item}'s type and shape (the
     * body ran once for all iterations, so every iteration's item has that shape). Only {@code len} (a bounded int) and
     * {@code torch.stack} (the item stacked at the bound, data-dependent) read it; anything else is a gap
     * (docs/conventions.md, "Data-dependent sizes").
     */
    record BoundedList(long bound, TensorValue item) {}

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
