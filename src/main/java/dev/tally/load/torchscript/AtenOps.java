package dev.tally.load.torchscript;

import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import dev.tally.load.torchscript.Values.Unknown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code torch.*} calls of serialized TorchScript code: Python scalar and list builtins computed at once,
 * shape queries answered from known shapes, and aten tensor ops turned into IR nodes with ONNX's op and
 * attribute names (so the shape and cost rules are shared with the ONNX reader). Each tensor op belongs to one
 * family ({@link ConvolutionOps}, {@link LinearAlgebraOps}, {@link ActivationOps}, {@link ArithmeticOps},
 * {@link NormalizationOps}, {@link ReductionOps}, {@link ShapeOps}, {@link JoinSplitOps}, {@link IndexingOps},
 * {@link CreationOps}, {@link InterpolationOps}, {@link SpectralOps}, {@link VisionOps}: one table each), then
 * {@link RecurrentOps}, {@link DTypeOps} and {@link QuantizedOps} are asked in turn. An aten op with no mapping becomes a
 * node of op type
 * {@code aten::<name>}, which the report lists as unsupported, never as zero.
 *
 * <p>Arguments are bound by the names of the aten schemas ({@link Args}), so keyword and positional calls read the same.
 */
final class AtenOps {
    private final String fileName;
    private final GraphBuilder graph;
    /** Every op of the table families, to the one family that maps it. */
    private final Map<String, AtenFamily> families = new LinkedHashMap<>();

    AtenOps(String fileName, GraphBuilder graph) {
        this.fileName = fileName;
        this.graph = graph;
        for (AtenFamily family : List.of(new ConvolutionOps(graph), new LinearAlgebraOps(graph), new ActivationOps(graph),
                new ArithmeticOps(graph), new NormalizationOps(graph), new ReductionOps(graph), new ShapeOps(graph),
                new JoinSplitOps(graph), new IndexingOps(graph), new CreationOps(graph), new InterpolationOps(graph),
                new SpectralOps(graph), new VisionOps(graph))) {
            for (String op : family.table().keySet()) {
                if (families.put(op, family) != null) {
                    throw new IllegalStateException("aten op '" + op + "' is in two families");
                }
            }
        }
    }

    static List<Object> items(Object value) {
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        if (value instanceof TupleValue tuple) {
            return tuple.items();
        }
        return null;
    }

    /** The tensors of a list or tuple argument, in order; null when it is neither or holds anything but tensors. */
    static TensorValue[] tensorItems(Object value) {
        List<Object> items = items(value);
        if (items == null) {
            return null;
        }
        TensorValue[] tensors = new TensorValue[items.size()];
        for (int i = 0; i < tensors.length; i++) {
            if (!(items.get(i) instanceof TensorValue t)) {
                return null;
            }
            tensors[i] = t;
        }
        return tensors;
    }

    // ---- dispatch ----------------------------------------------------------------------------------------

    Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        boolean anyTensor = containsTensor(args) || containsTensor(new ArrayList<>(keywords.values()));
        String base = name.endsWith("_") && !name.endsWith("__") ? name.substring(0, name.length() - 1) : name;
        Object introspection = introspect(base, args, site);
        if (introspection != NOT_HANDLED) {
            return introspection;
        }
        if (!anyTensor && args.stream().anyMatch(arg -> arg instanceof Values.Ranged)) {
            return ranged(base, args, site);
        }
        if (!anyTensor) {
            // Python ints read from data-dependent sizes: their bounds, or an undecided comparison (BoundedInts).
            Object bounded = BoundedInts.call(base, args);
            if (bounded != NOT_HANDLED) {
                return bounded;
            }
        }
        boolean listOp = LIST_OPS.contains(base) && !args.isEmpty() && (items(args.get(0)) != null || args.get(0) instanceof Map);
        if (!anyTensor || listOp) {
            Object scalar = PythonBuiltins.call(base, args, keywords);
            if (scalar != NOT_HANDLED) {
                return scalar;
            }
        }
        if (!anyTensor && !CREATION_OPS.contains(base)) {
            return Unknown.VALUE;
        }
        boolean mapped = true;
        try {
            int firstNew = graph.nodeCount();
            // A size argument read from a data-dependent value is taken at its bound: what the op makes is data-dependent.
            Object result = containsBounded(args) || containsBounded(new ArrayList<>(keywords.values()))
                    ? graph.withDataDependentSizes(() -> tensorOp(base, args, keywords, site)) : tensorOp(base, args, keywords, site);
            mapped = result != UNMAPPED;
            if (result != NOT_HANDLED && result != UNMAPPED) {
                if ((!base.equals(name) || Boolean.TRUE.equals(keywords.get("inplace"))) && result instanceof TensorValue t) {
                    graph.markInPlace(firstNew, t.name());
                }
                return result;
            }
        } catch (Args.Unresolved e) {
            // A shape argument is not known statically: keep the op, as unsupported, rather than guess.
        }
        return unsupported(base, args, keywords, site, mapped);
    }

    /** The ONNX op computing each builtin {@link #ranged} keeps in the graph. */
    private static final Map<String, String> RANGED_OPS = Map.of("min", "Min", "max", "Max", "add", "Add", "sub", "Sub",
            "mul", "Mul", "neg", "Neg");

    /**
     * A builtin given an int known by its range ({@link Values.Ranged}): {@link BoundedInts} gives the result's range;
     * when that is again such an int and every operand is an int or held by a graph value, the op is emitted on those
     * values, so the result is held too, with the same bounds by ValueRanges' interval arithmetic (paste_mask_in_image's
     * {@code y_1 = min(int(box[3] + 1), im_h)}, added to {@code -box[1]} next).
     */
    private Object ranged(String name, List<Object> args, Site site) {
        Object result = BoundedInts.call(name, args);
        if (!(result instanceof Values.Ranged range) || !RANGED_OPS.containsKey(name)) {
            return result;
        }
        List<Object> operands = (name.equals("min") || name.equals("max")) && args.size() == 1 && items(args.get(0)) != null
                ? items(args.get(0)) : args;
        List<String> inputs = new ArrayList<>();
        for (Object operand : operands) {
            if (operand instanceof Long l) {
                inputs.add(graph.scalar(l).name());
            } else if (operand instanceof Values.Ranged r && r.tensor() != null) {
                inputs.add(r.tensor().name());
            } else {
                return result;
            }
        }
        if (inputs.size() != (name.equals("neg") ? 1 : 2)) {
            return result;
        }
        TensorValue held = graph.emit(RANGED_OPS.get(name), inputs, Map.of(), 1, site.layer(), site.source()).get(0);
        return new Values.Ranged(range.low(), range.high(), held);
    }

    static final Object NOT_HANDLED = new Object();
    /** What {@link #tensorOp} returns for an op no family maps, whatever its inputs. */
    private static final Object UNMAPPED = new Object();

    /** Builtins on Python lists, which hold tensors as items without being tensor ops ({@code torch.append(features, x)}). */
    private static final java.util.Set<String> LIST_OPS = java.util.Set.of(
            "append", "insert", "extend", "len", "__getitem__", "list", "copy", "__contains__", "add", "_set_item", "slice", "all", "any", "dict",
            "values", "keys", "items", "mul");

    private static final java.util.Set<String> CREATION_OPS = java.util.Set.of(
            "zeros", "ones", "full", "empty", "arange", "rand", "randn", "tensor", "as_tensor", "linspace", "eye", "hann_window");

    private static boolean containsBounded(List<Object> values) {
        for (Object value : values) {
            // A bounded int a graph value holds makes what it sizes data-dependent by itself.
            if (value instanceof Values.Bounded && !Values.isHeld(value)) {
                return true;
            }
            List<Object> items = items(value);
            if (items != null && containsBounded(items)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsTensor(List<Object> values) {
        for (Object value : values) {
            if (value instanceof TensorValue) {
                return true;
            }
            List<Object> items = items(value);
            if (items != null && containsTensor(items)) {
                return true;
            }
        }
        return false;
    }

    /** Questions about a tensor's shape, answered when the rules resolved it. */
    private Object introspect(String name, List<Object> args, Site site) {
        if (args.isEmpty() || !(args.get(0) instanceof TensorValue tensor)) {
            if ((name.equals("__is__") || name.equals("__isnot__")) && args.size() == 2) {
                boolean same = args.get(0) == args.get(1) || (args.get(0) == null && args.get(1) == null);
                if (args.get(0) == Unknown.VALUE || args.get(1) == Unknown.VALUE
                        || args.get(1) instanceof TensorValue other && graph.isGap(other)) {
                    return Unknown.VALUE;
                }
                return name.equals("__is__") == same;
            }
            return NOT_HANDLED;
        }
        TensorInfo info = tensor.info();
        if (graph.isGap(tensor) && (name.equals("__is__") || name.equals("__isnot__"))) {
            // A statement not followed may have made None as well as a tensor.
            return Unknown.VALUE;
        }
        switch (name) {
            case "__is__":
            case "__isnot__":
                // A tensor is never None; two tensors are the same object when they are the same graph value
                // (MultiheadAttention checks query is key is value to pick its self-attention path).
                if (args.get(1) == null) {
                    return name.equals("__isnot__");
                }
                if (args.get(1) instanceof TensorValue other) {
                    return name.equals("__is__") == other.name().equals(tensor.name());
                }
                return name.equals("__isnot__");
            case "size":
                if (info == null) {
                    return Unknown.VALUE;
                }
                if (info.dataDependent()) {
                    // A data-dependent size is only bounded: as a Python int it would be taken for the real size. Each axis
                    // is a bounded int held by Shape and Gather (packed sequences' batch_sizes.size(0), clip_boxes_to_image's reshape to
                    // boxes.size()): the shape rules do not say which axes the data sizes.
                    if (args.size() > 1) {
                        return args.get(1) instanceof Long axis ? boundedSize(tensor, axis, site) : Unknown.VALUE;
                    }
                    List<Object> sizes = new ArrayList<>();
                    for (int axis = 0; axis < info.rank(); axis++) {
                        sizes.add(boundedSize(tensor, axis, site));
                    }
                    return sizes;
                }
                if (args.size() > 1) {
                    if (!(args.get(1) instanceof Long axis)) {
                        return Unknown.VALUE;
                    }
                    return size(info, info.shape().dim((int) (long) axis));
                }
                return new ArrayList<Object>(info.shape().dims().stream().map(dim -> size(info, dim)).toList());
            case "dim":
                return info == null ? Unknown.VALUE : (Object) (long) info.rank();
            case "len":
                if (info == null || info.rank() == 0) {
                    return Unknown.VALUE;
                }
                return info.dataDependent() ? boundedSize(tensor, 0, site) : (Object) info.shape().dim(0);
            case "numel":
                return info == null ? Unknown.VALUE : size(info, info.numel());
            case "is_floating_point":
                return info == null ? Unknown.VALUE : (Object) info.dtype().isFloatingPoint();
            case "contiguous":
            case "detach":
            case "clone":
            case "cpu":
                return tensor;
            default:
                return NOT_HANDLED;
        }
    }

    /**
     * A size of a tensor as a Python int. A data-dependent size is only bounded: as an int it would be taken for the
     * real size, so it is a {@link Values.Bounded} (on every axis: the shape rules do not say which axes the data sizes).
     */
    private static Object size(TensorInfo info, long size) {
        return info.dataDependent() ? new Values.Bounded(size) : (Object) size;
    }

    /**
     * Axis {@code axis} of a data-dependent tensor: its bound, and Shape then Gather as the graph value holding it; the
     * size itself when the axis is the same in every run ({@link ExactAxes}: Mask R-CNN's masks are n x 1 x 28 x 28
     * with only n read from the data).
     */
    private Object boundedSize(TensorValue tensor, long axis, Site site) {
        int at = tensor.info().shape().normalizeAxis((int) axis);
        if (graph.isExactAxis(tensor, at)) {
            return tensor.info().shape().dim(at);
        }
        TensorValue shape = emit("Shape", site, attrs(), tensor);
        TensorValue size = emit("Gather", site, attrs("axis", new Attribute.Int(0)), shape, graph.scalar((long) at));
        return new Values.Bounded(tensor.info().shape().dim(at), size);
    }

    // ---- tensor ops --------------------------------------------------------------------------------------

    /** The op's result from the one table family that maps it, else from the other families asked in turn. */
    private Object tensorOp(String name, List<Object> args, Map<String, Object> kw, Site site) {
        AtenFamily family = families.get(name);
        if (family != null) {
            return family.call(name, args, kw, site);
        }
        return java.util.stream.Stream.of(new RecurrentOps(graph), new DTypeOps(graph), new QuantizedOps(graph)).map(f -> f.call(name, args, kw, site)).filter(r -> r != NOT_HANDLED).findAny().orElse(UNMAPPED);
    }

    /**
     * An op without a mapping: a node of type {@code aten::<name>} over the call's tensors, counted as unsupported. An op
     * Tally maps ({@code mapped}) that could not be mapped because one of those tensors has no known shape (it comes out
     * of a gap or of an unsupported op) says so ({@link ShapePass#AWAITS_INPUTS}): it is then one of the nodes left out
     * because of what feeds it, not another op without a rule. An op no family maps stays unsupported whatever its inputs.
     */
    private Object unsupported(String name, List<Object> args, Map<String, Object> kw, Site site, boolean mapped) {
        List<TensorValue> inputs = new ArrayList<>();
        collectTensors(args, inputs);
        collectTensors(new ArrayList<>(kw.values()), inputs);
        Map<String, Attribute> attributes = mapped && inputs.stream().anyMatch(t -> !t.known())
                ? attrs(ShapePass.AWAITS_INPUTS, new Attribute.Int(1)) : attrs();
        return emit("aten::" + name, site, attributes, inputs.toArray(new TensorValue[0]));
    }

    private static void collectTensors(List<Object> values, List<TensorValue> into) {
        for (Object value : values) {
            if (value instanceof TensorValue t) {
                into.add(t);
            } else if (items(value) != null) {
                collectTensors(items(value), into);
            }
        }
    }

    private TensorValue emit(String op, Site site, Map<String, Attribute> attributes, TensorValue... inputs) {
        List<String> names = new ArrayList<>();
        for (TensorValue input : inputs) {
            names.add(input == null ? "" : input.name());
        }
        while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
            names.remove(names.size() - 1);
        }
        return graph.emit(op, names, attributes, 1, site.layer(), site.source()).get(0);
    }

    private static Map<String, Attribute> attrs(Object... pairs) {
        Map<String, Attribute> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Attribute) pairs[i + 1]);
        }
        return map;
    }
}
