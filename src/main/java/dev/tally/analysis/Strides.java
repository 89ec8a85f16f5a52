package dev.tally.analysis;

import dev.tally.ir.Attribute;
import dev.tally.ir.Node;
import dev.tally.ir.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Where each element of a tensor sits in its storage, as PyTorch 1.13 lays it out in eager mode: the stride of every
 * axis, in elements. The training memory needs it where an op copies an operand that is not laid out as it wants
 * (torch's matmul reshapes its batched operands, docs/conventions.md, "Training memory").
 *
 * <ul>
 *   <li>A node that allocates writes a dense tensor: row-major, except that an elementwise op (TensorIterator) lays its
 *       output out in the order of its first operand of the output's shape ({@code q * scale} of a permuted {@code q}
 *       is permuted too).</li>
 *   <li>A view computes its strides from its input's: Transpose permutes them, Gather of one index and Squeeze drop an
 *       axis, Unsqueeze adds one, Slice multiplies by its step, Expand gives broadcast axes stride 0, Reshape and
 *       Flatten follow {@link #view} (PyTorch's {@code computeStride}), and the rest keep them.</li>
 * </ul>
 */
public final class Strides {
    /** Ops TensorIterator runs: the output follows the memory order of the first operand of the output's shape. */
    private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Neg", "Abs", "Relu", "Clip",
            "LeakyRelu", "HardSwish", "HardSigmoid", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Gelu",
            "Where", "Cast", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or");

    private Strides() {
    }

    /** Row-major strides of {@code shape}. */
    public static long[] contiguous(Shape shape) {
        long[] strides = new long[shape.rank()];
        long step = 1;
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            strides[axis] = step;
            step = Math.multiplyExact(step, Math.max(1, shape.dim(axis)));
        }
        return strides;
    }

    /** Whether {@code strides} lay {@code shape} out row-major (axes of size 1 may have any stride). */
    public static boolean isContiguous(Shape shape, long[] strides) {
        long expected = 1;
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            if (shape.dim(axis) != 1) {
                if (strides[axis] != expected) {
                    return false;
                }
                expected = Math.multiplyExact(expected, shape.dim(axis));
            }
        }
        return true;
    }

    /**
     * The strides of {@code newShape} as a view of a tensor of {@code oldShape} with {@code oldStrides}, or null when
     * no view can express it and {@code reshape} copies: PyTorch's {@code computeStride} (TensorUtils.cpp), which
     * splits the old shape into chunks of axes that are contiguous with each other and maps new axes onto them.
     */
    public static long[] view(long[] oldShape, long[] oldStrides, long[] newShape) {
        if (oldShape.length == 0) {
            long[] ones = new long[newShape.length];
            Arrays.fill(ones, 1);
            return ones;
        }
        long numel = 1;
        for (long d : oldShape) {
            numel = Math.multiplyExact(numel, d);
        }
        if (numel == 0) {
            return Arrays.equals(oldShape, newShape) ? oldStrides.clone() : null;
        }
        long[] newStrides = new long[newShape.length];
        int viewAxis = newShape.length - 1;
        long chunkBaseStride = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int axis = oldShape.length - 1; axis >= 0; axis--) {
            tensorNumel = Math.multiplyExact(tensorNumel, oldShape[axis]);
            if (axis == 0 || oldShape[axis - 1] != 1 && oldStrides[axis - 1] != tensorNumel * chunkBaseStride) {
                while (viewAxis >= 0 && (viewNumel < tensorNumel || newShape[viewAxis] == 1)) {
                    newStrides[viewAxis] = viewNumel * chunkBaseStride;
                    viewNumel = Math.multiplyExact(viewNumel, newShape[viewAxis]);
                    viewAxis--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (axis > 0) {
                    chunkBaseStride = oldStrides[axis - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewAxis == -1 ? newStrides : null;
    }

    /**
     * The strides of a node's first output.
     *
     * @param kind          what the node does with memory ({@link Aliasing})
     * @param inputs        the node's inputs as resolved (null where absent)
     * @param inputStrides  their strides (null where row-major, absent or unknown)
     */
    static long[] of(Node node, Aliasing.Kind kind, List<TensorInfo> inputs, List<long[]> inputStrides, TensorInfo output) {
        Shape shape = output.shape();
        if (inputs.isEmpty() || inputs.get(0) == null) {
            return contiguous(shape);
        }
        if (kind == Aliasing.Kind.ALLOCATES) {
            return ELEMENTWISE.contains(node.opType()) ? dense(shape, inputs, inputStrides) : contiguous(shape);
        }
        TensorInfo in = inputs.get(0);
        long[] strides = inputStrides.get(0) == null || inputStrides.get(0).length != in.rank() ? contiguous(in.shape())
                : inputStrides.get(0);
        if (kind == Aliasing.Kind.IN_PLACE) {
            // The layout of the input written into (masked_fill_ writes into Where's input 2).
            int written = Aliasing.writtenInput(node);
            if (written > 0) {
                return written < inputs.size() && inputs.get(written) != null && written < inputStrides.size()
                        && inputStrides.get(written) != null && inputStrides.get(written).length == shape.rank()
                        ? inputStrides.get(written).clone() : contiguous(shape);
            }
            return strides.clone();
        }
        long[] viewed = switch (node.opType()) {
            case "Transpose" -> transposed(node, strides);
            case "Gather" -> gathered(node, strides);
            case "Squeeze" -> squeezed(in.shape(), strides, shape);
            case "Unsqueeze", "Reshape", "Flatten" -> view(in.shape().toArray(), strides, shape.toArray());
            case "Slice" -> sliced(in, strides, inputs);
            case "Expand" -> expanded(in.shape(), strides, shape);
            default -> strides.length == shape.rank() ? strides.clone() : null;
        };
        return viewed == null || viewed.length != shape.rank() ? contiguous(shape) : viewed;
    }

    /** A dense layout of {@code shape} in the memory order of the first operand of that shape (TensorIterator's). */
    private static long[] dense(Shape shape, List<TensorInfo> inputs, List<long[]> inputStrides) {
        for (int i = 0; i < inputs.size(); i++) {
            TensorInfo input = inputs.get(i);
            if (input == null || !input.shape().equals(shape)) {
                continue;
            }
            if (inputStrides.get(i) == null) {
                // Row-major strides never increase from the outer axes in, so their order is the axes' own: row-major.
                return contiguous(shape);
            }
            long[] strides = inputStrides.get(i);
            if (strides.length == shape.rank()) {
                Integer[] order = new Integer[shape.rank()];
                for (int axis = 0; axis < order.length; axis++) {
                    order[axis] = axis;
                }
                // Outermost first: larger strides outside; equal strides keep the axes' order.
                Arrays.sort(order, (a, b) -> Long.compare(strides[b], strides[a]));
                long[] dense = new long[shape.rank()];
                long step = 1;
                for (int k = order.length - 1; k >= 0; k--) {
                    dense[order[k]] = step;
                    step = Math.multiplyExact(step, Math.max(1, shape.dim(order[k])));
                }
                return dense;
            }
        }
        return contiguous(shape);
    }

    private static long[] transposed(Node node, long[] strides) {
        List<Long> perm = node.attribute("perm").filter(a -> a instanceof Attribute.Ints).map(a -> ((Attribute.Ints) a).values())
                .orElse(null);
        long[] permuted = new long[strides.length];
        for (int axis = 0; axis < strides.length; axis++) {
            int from = perm == null ? strides.length - 1 - axis : (int) (long) perm.get(axis);
            if (from < 0 || from >= strides.length) {
                return null;
            }
            permuted[axis] = strides[from];
        }
        return permuted;
    }

    /** A one-index Gather drops its axis ({@code qkv[1]}). */
    private static long[] gathered(Node node, long[] strides) {
        long axis = node.attribute("axis").filter(a -> a instanceof Attribute.Int).map(a -> ((Attribute.Int) a).value()).orElse(0L);
        int at = (int) (axis < 0 ? axis + strides.length : axis);
        if (at < 0 || at >= strides.length) {
            return null;
        }
        long[] kept = new long[strides.length - 1];
        for (int axis2 = 0, k = 0; axis2 < strides.length; axis2++) {
            if (axis2 != at) {
                kept[k++] = strides[axis2];
            }
        }
        return kept;
    }

    /**
     * Squeeze drops axes of size 1, whose strides place nothing: the output's other axes take the input's strides of
     * its axes of other sizes, in order.
     */
    private static long[] squeezed(Shape in, long[] strides, Shape out) {
        long[] result = new long[out.rank()];
        int from = 0;
        for (int axis = 0; axis < out.rank(); axis++) {
            if (out.dim(axis) == 1) {
                result[axis] = 1;
                continue;
            }
            while (from < in.rank() && in.dim(from) == 1) {
                from++;
            }
            if (from >= in.rank() || in.dim(from) != out.dim(axis)) {
                return null;
            }
            result[axis] = strides[from++];
        }
        return result;
    }

    private static long[] sliced(TensorInfo in, long[] strides, List<TensorInfo> inputs) {
        long[] out = strides.clone();
        TensorInfo axes = inputs.size() > 3 ? inputs.get(3) : null;
        TensorInfo steps = inputs.size() > 4 ? inputs.get(4) : null;
        if (steps == null || steps.data().isEmpty()) {
            return out;
        }
        for (int k = 0; k < steps.data().get().size(); k++) {
            long axis = axes != null && axes.data().isPresent() ? axes.data().get().longAt(k) : k;
            int at = (int) (axis < 0 ? axis + in.rank() : axis);
            if (at >= 0 && at < out.length) {
                out[at] = Math.multiplyExact(out[at], steps.data().get().longAt(k));
            }
        }
        return out;
    }

    private static long[] expanded(Shape in, long[] strides, Shape out) {
        long[] result = new long[out.rank()];
        int offset = out.rank() - in.rank();
        if (offset < 0) {
            return null;
        }
        for (int axis = 0; axis < out.rank(); axis++) {
            int from = axis - offset;
            result[axis] = from < 0 || in.dim(from) == 1 && out.dim(axis) != 1 ? 0 : strides[from];
        }
        return result;
    }
}
