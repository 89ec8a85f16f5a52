package dev.tally.analysis;

import dev.tally.ir.Attribute;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import java.util.List;
import java.util.Set;

/**
 * The one classification of which nodes allocate a new tensor and which only alias their first input, as
 * PyTorch runs them in eager mode (docs/conventions.md, "Memory"). The peak, {@code tally fit} and the memory
 * chart all follow it, whatever the file format.
 *
 * <ul>
 *   <li>Views: Reshape and Flatten of a contiguous tensor, Squeeze, Unsqueeze, Identity, Dropout (eval), Expand,
 *       EitherBranch (the value a TorchScript branch made, after both branches of a data-dependent if), Transpose,
 *       Slice, Split, Gather of one constant index ({@code x[:, 0]}), Cast to the same dtype, Pad by nothing. A view
 *       is contiguous when its input is and it keeps the element order; Reshape or Flatten of a strided view copies,
 *       as {@code torch.reshape} does.</li>
 *   <li>In place: a node the loader marked with {@link #IN_PLACE} ({@code relu_}, {@code add_}, {@code inplace=True}
 *       in TorchScript). ONNX records no such flag, so in an ONNX file a clamp activation (Relu, Clip, LeakyRelu,
 *       HardSwish) that is the last reader of a tensor no other value shares is taken as in place: torchvision
 *       builds every such activation with {@code inplace=True}.</li>
 * </ul>
 */
public final class Aliasing {
    /**
     * The node attribute a loader sets when the op overwrites one of its inputs: 1 for the first, k + 1 for input k
     * ({@code masked_fill_(x, mask, v)} is Where(mask, v, x) and writes into x, its input 2: value 3).
     */
    public static final String IN_PLACE = "tally.in_place";

    /** The input an in-place node writes into ({@link #IN_PLACE}); 0 for every other node (a view's input). */
    public static int writtenInput(Node node) {
        // Read without lambdas: the memory passes ask per node, and each capturing lambda is an object.
        if (node.attributes().isEmpty() || !(node.attributes().get(IN_PLACE) instanceof Attribute.Int i)) {
            return 0;
        }
        return i.value() >= 1 && i.value() <= node.inputs().size() ? (int) i.value() - 1 : 0;
    }

    private static final Set<String> ALWAYS_VIEWS = Set.of("Squeeze", "Unsqueeze", "Identity", "Dropout", "ViewAsReal", "ViewAsComplex",
            "EitherBranch", "WrittenView");
    private static final Set<String> RESHAPES = Set.of("Reshape", "Flatten");
    private static final Set<String> INPLACE_ACTIVATIONS = Set.of("Relu", "Clip", "LeakyRelu", "HardSwish");
    /** The ops {@link #classify} looks at beyond the in-place attribute: every other op allocates. */
    private static final Set<String> CLASSIFIED = classified();

    private static Set<String> classified() {
        Set<String> ops = new java.util.HashSet<>(ALWAYS_VIEWS);
        ops.addAll(RESHAPES);
        ops.addAll(INPLACE_ACTIVATIONS);
        ops.addAll(List.of("Transpose", "Slice", "Split", "Gather", "Expand", "Cast", "Pad"));
        return Set.copyOf(ops);
    }

    private Aliasing() {
    }

    /** What a node does with memory. */
    public enum Kind {
        /** A new tensor for each output. */
        ALLOCATES,
        /** The outputs share the first input's storage, in the same element order. */
        CONTIGUOUS_VIEW,
        /** The outputs share the first input's storage with other strides (a transpose, a slice of a later axis). */
        STRIDED_VIEW,
        /** The op writes its result into its first input. */
        IN_PLACE
    }

    /**
     * @param inputs              the node's inputs as the shape pass resolved them (null where unknown)
     * @param output              the node's first output
     * @param inputContiguous     whether the first input ({@link #writtenInput}'s for an in-place node) is contiguous
     * @param inputIsSoleAndLast  whether this node is the last reader of its first input, no other live value shares
     *                            that tensor, and it is neither a model input nor a model output
     */
    public static Kind classify(Node node, ModelFormat format, List<TensorInfo> inputs, TensorInfo output,
                                boolean inputContiguous, boolean inputIsSoleAndLast) {
        int written = writtenInput(node);
        if (inputs.size() <= written || inputs.get(written) == null) {
            return Kind.ALLOCATES;
        }
        if (!node.attributes().isEmpty() && node.attributes().get(IN_PLACE) instanceof Attribute.Int i && i.value() >= 1) {
            return Kind.IN_PLACE;
        }
        String op = node.opType();
        if (!CLASSIFIED.contains(op)) {
            return Kind.ALLOCATES; // one lookup for most nodes, not one per kind (the memory runs ask per node)
        }
        TensorInfo in = inputs.get(0);
        if (format != ModelFormat.TORCHSCRIPT && INPLACE_ACTIVATIONS.contains(op) && inputIsSoleAndLast
                && in.shape().equals(output.shape()) && in.dtype() == output.dtype()) {
            return Kind.IN_PLACE;
        }
        if (ALWAYS_VIEWS.contains(op)) {
            return view(inputContiguous);
        }
        if (RESHAPES.contains(op)) {
            return inputContiguous ? Kind.CONTIGUOUS_VIEW : Kind.ALLOCATES;
        }
        return switch (op) { // each case's op is in CLASSIFIED, or it is never reached
            case "Transpose" -> view(inputContiguous && keepsOrder(node, in));
            case "Slice", "Split" -> view(inputContiguous && leadingCut(in.shape().dims(), output.shape().dims()));
            case "Gather" -> inputs.size() > 1 && inputs.get(1) != null && inputs.get(1).hasData()
                    && inputs.get(1).rank() == 0
                    ? view(inputContiguous && leadingCut(in.shape().dims(), withAxis(in, output, node)))
                    : Kind.ALLOCATES;
            case "Expand" -> view(inputContiguous && in.numel() == output.numel());
            case "Cast" -> in.dtype() == output.dtype() ? view(inputContiguous) : Kind.ALLOCATES;
            // The ONNX exporter writes AvgPool2d as Pad + AveragePool even when the pads are all 0.
            case "Pad" -> in.shape().equals(output.shape()) ? view(inputContiguous) : Kind.ALLOCATES;
            default -> Kind.ALLOCATES;
        };
    }

    private static Kind view(boolean contiguous) {
        return contiguous ? Kind.CONTIGUOUS_VIEW : Kind.STRIDED_VIEW;
    }

    /** Whether a permutation moves only axes of size 1, so the elements stay in order. */
    private static boolean keepsOrder(Node node, TensorInfo in) {
        List<Long> perm = node.attribute("perm").filter(a -> a instanceof Attribute.Ints).map(a -> ((Attribute.Ints) a).values())
                .orElse(null);
        if (perm == null) {
            return in.rank() < 2;
        }
        long previous = -1;
        for (long axis : perm) {
            if (in.shape().dim((int) axis) != 1) {
                if (axis < previous) {
                    return false;
                }
                previous = axis;
            }
        }
        return true;
    }

    /** Whether a cut from {@code in} to {@code out} keeps a contiguous block: every axis before the cut one has size 1. */
    private static boolean leadingCut(List<Long> in, List<Long> out) {
        if (in.size() != out.size()) {
            return false;
        }
        for (int axis = 0; axis < in.size(); axis++) {
            if (!in.get(axis).equals(out.get(axis))) {
                for (int later = axis + 1; later < in.size(); later++) {
                    if (!in.get(later).equals(out.get(later))) {
                        return false;
                    }
                }
                return true;
            }
            if (in.get(axis) != 1) {
                // A later cut would leave gaps between the blocks of this axis.
                for (int later = axis + 1; later < in.size(); later++) {
                    if (!in.get(later).equals(out.get(later))) {
                        return false;
                    }
                }
                return true;
            }
        }
        return true;
    }

    /** The output of a one-index Gather with the removed axis put back as size 1, to compare with the input. */
    private static List<Long> withAxis(TensorInfo in, TensorInfo out, Node node) {
        long axis = node.attribute("axis").filter(a -> a instanceof Attribute.Int).map(a -> ((Attribute.Int) a).value())
                .orElse(0L);
        int at = (int) (axis < 0 ? axis + in.rank() : axis);
        List<Long> dims = new java.util.ArrayList<>(out.shape().dims());
        if (at < 0 || at > dims.size()) {
            return List.of();
        }
        dims.add(at, 1L);
        return dims;
    }
}
