package dev.tally.load.torchscript;

import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.analysis.saved.SavedRules;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
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
 * attribute names (so the shape and cost rules are shared with the ONNX reader). An aten op with no mapping
 * becomes a node of op type {@code aten::<name>}, which the report lists as unsupported, never as zero.
 *
 * <p>Arguments are bound by the names of the aten schemas ({@link Args}), so keyword and positional calls read the same.
 */
final class AtenOps {
    private final String fileName;
    private final GraphBuilder graph;

    AtenOps(String fileName, GraphBuilder graph) {
        this.fileName = fileName;
        this.graph = graph;
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

    // ---- dispatch ----------------------------------------------------------------------------------------

    Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        boolean anyTensor = containsTensor(args) || containsTensor(new ArrayList<>(keywords.values()));
        String base = name.endsWith("_") && !name.endsWith("__") ? name.substring(0, name.length() - 1) : name;
        Object introspection = introspect(base, args, site);
        if (introspection != NOT_HANDLED) {
            return introspection;
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
            Object result = tensorOp(base, args, keywords, site);
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

    static final Object NOT_HANDLED = new Object();
    /** What {@link #tensorOp} returns for an op no case and no family maps, whatever its inputs. */
    private static final Object UNMAPPED = new Object();

    /** Builtins on Python lists, which hold tensors as items without being tensor ops ({@code torch.append(features, x)}). */
    private static final java.util.Set<String> LIST_OPS = java.util.Set.of(
            "append", "len", "__getitem__", "list", "copy", "__contains__", "add", "_set_item", "slice", "all", "any", "dict",
            "values", "keys", "items", "mul");

    private static final java.util.Set<String> CREATION_OPS = java.util.Set.of(
            "zeros", "ones", "full", "empty", "arange", "rand", "randn", "tensor", "as_tensor");

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
                if (info == null || info.dataDependent()) {
                    // A data-dependent size is only bounded: as a Python int it would be taken for the real size.
                    return Unknown.VALUE;
                }
                if (args.size() > 1) {
                    if (!(args.get(1) instanceof Long axis)) {
                        return Unknown.VALUE;
                    }
                    return info.shape().dim((int) (long) axis);
                }
                return new ArrayList<Object>(info.shape().dims());
            case "dim":
                return info == null ? Unknown.VALUE : (Object) (long) info.rank();
            case "len":
                return info == null || info.rank() == 0 || info.dataDependent() ? Unknown.VALUE : (Object) info.shape().dim(0);
            case "numel":
                return info == null || info.dataDependent() ? Unknown.VALUE : (Object) info.numel();
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

    // ---- tensor ops --------------------------------------------------------------------------------------

    private Object tensorOp(String name, List<Object> args, Map<String, Object> kw, Site site) {
        switch (name) {
            case "_convolution": {
                Args a = new Args(graph, name, args, kw, "input", "weight", "bias", "stride", "padding", "dilation", "transposed",
                        "output_padding", "groups", "benchmark", "deterministic", "cudnn_enabled", "allow_tf32");
                return conv(a, a.flag("transposed", false), site);
            }
            case "conv1d":
            case "conv2d":
            case "conv3d": {
                Args a = new Args(graph, name, args, kw, "input", "weight", "bias", "stride", "padding", "dilation", "groups");
                return conv(a, false, site);
            }
            case "conv_transpose1d":
            case "conv_transpose2d":
            case "conv_transpose3d": {
                Args a = new Args(graph, name, args, kw, "input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation");
                return conv(a, true, site);
            }
            case "linear": {
                Args a = new Args(graph, name, args, kw, "input", "weight", "bias");
                return emit("Linear", site, attrs(), a.tensor("input"), a.tensor("weight"), a.optionalTensor("bias"));
            }
            case "addmm": {
                Args a = new Args(graph, name, args, kw, "self", "mat1", "mat2", "beta", "alpha");
                return emit("Gemm", site, attrs("alpha", new Attribute.Float(a.real("alpha", 1)), "beta", new Attribute.Float(a.real("beta", 1))),
                        a.tensor("mat1"), a.tensor("mat2"), a.tensor("self"));
            }
            case "matmul":
            case "mm":
            case "bmm": {
                Args a = new Args(graph, name, args, kw, "self", "other");
                return emit("MatMul", site, attrs(), a.tensor("self"), a.tensor("other"));
            }
            case "relu":
                return unary("Relu", name, args, kw, site);
            case "sigmoid":
                return unary("Sigmoid", name, args, kw, site);
            case "tanh":
                return unary("Tanh", name, args, kw, site);
            case "hardswish":
                return unary("HardSwish", name, args, kw, site);
            case "hardsigmoid":
                return unary("HardSigmoid", name, args, kw, site);
            case "exp":
                return unary("Exp", name, args, kw, site);
            case "log":
                return unary("Log", name, args, kw, site);
            case "sqrt":
                return unary("Sqrt", name, args, kw, site);
            case "erf":
                return unary("Erf", name, args, kw, site);
            case "abs":
                return unary("Abs", name, args, kw, site);
            case "neg":
                return unary("Neg", name, args, kw, site);
            case "reciprocal":
                return unary("Reciprocal", name, args, kw, site);
            case "silu": {
                // SiLU is x * sigmoid(x); ONNX has no single op for it, and the exporter writes these two. Both are
                // marked as parts of SiLU: its backward keeps x only (SiluBackward0), not what Sigmoid and Mul would.
                TensorValue x = new Args(graph, name, args, kw, "self").tensor("self");
                TensorValue sigmoid = emit("Sigmoid", site, attrs(SavedRules.PART_OF, new Attribute.Str("Silu")), x);
                return emit("Mul", site, attrs(SavedRules.PART_OF, new Attribute.Str("Silu")), x, sigmoid);
            }
            case "gelu": {
                Args a = new Args(graph, name, args, kw, "self", "approximate");
                return emit("Gelu", site, attrs("approximate", new Attribute.Str(a.string("approximate", "none"))), a.tensor("self"));
            }
            case "leaky_relu": {
                Args a = new Args(graph, name, args, kw, "self", "negative_slope");
                return emit("LeakyRelu", site, attrs("alpha", new Attribute.Float(a.real("negative_slope", 0.01))), a.tensor("self"));
            }
            case "relu6":
                return clip(new Args(graph, name, args, kw, "self").tensor("self"), 0.0, 6.0, site);
            case "hardtanh": {
                Args a = new Args(graph, name, args, kw, "self", "min_val", "max_val");
                return clip(a.tensor("self"), a.real("min_val", -1), a.real("max_val", 1), site);
            }
            case "clamp":
            case "clip": {
                Args a = new Args(graph, name, args, kw, "self", "min", "max");
                return emit("Clip", site, attrs(), a.tensor("self"),
                        a.has("min") ? a.tensor("min") : null, a.has("max") ? a.tensor("max") : null);
            }
            case "softmax":
            case "log_softmax": {
                Args a = new Args(graph, name, args, kw, "self", "dim", "dtype");
                return emit(name.equals("softmax") ? "Softmax" : "LogSoftmax", site,
                        attrs("axis", new Attribute.Int(a.integer("dim", -1))), a.tensor("self"));
            }
            case "max_pool1d":
            case "max_pool2d":
            case "max_pool3d": {
                Args a = new Args(graph, name, args, kw, "self", "kernel_size", "stride", "padding", "dilation", "ceil_mode");
                return pool("MaxPool", a, spatialRank(name), site);
            }
            case "avg_pool1d":
            case "avg_pool2d":
            case "avg_pool3d": {
                Args a = new Args(graph, name, args, kw, "self", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                        "divisor_override");
                if (a.has("divisor_override")) {
                    return NOT_HANDLED;
                }
                return pool("AveragePool", a, spatialRank(name), site);
            }
            case "adaptive_avg_pool1d":
            case "adaptive_avg_pool2d":
            case "adaptive_avg_pool3d": {
                Args a = new Args(graph, name, args, kw, "self", "output_size");
                List<Long> size = a.ints("output_size", spatialRank(name), null);
                return emit("AdaptiveAveragePool", site, attrs("output_size", new Attribute.Ints(size)), a.tensor("self"));
            }
            case "flatten":
                return flatten(new Args(graph, name, args, kw, "self", "start_dim", "end_dim"), site);
            case "batch_norm": {
                Args a = new Args(graph, name, args, kw, "input", "weight", "bias", "running_mean", "running_var", "training",
                        "momentum", "eps", "cudnn_enabled");
                if (a.flag("training", false) || !a.has("running_mean")) {
                    return NOT_HANDLED;
                }
                return emit("BatchNormalization", site,
                        attrs("epsilon", new Attribute.Float(a.real("eps", 1e-5)), "momentum", new Attribute.Float(1 - a.real("momentum", 0.1))),
                        a.tensor("input"), a.optionalTensor("weight"), a.optionalTensor("bias"), a.tensor("running_mean"), a.tensor("running_var"));
            }
            case "group_norm": {
                // The weight and bias have one entry per channel, as opset 21's GroupNormalization has them.
                Args a = new Args(graph, name, args, kw, "input", "num_groups", "weight", "bias", "eps", "cudnn_enabled");
                return emit("GroupNormalization", site,
                        attrs("num_groups", new Attribute.Int(a.integer("num_groups", 1)), "epsilon", new Attribute.Float(a.real("eps", 1e-5))),
                        a.tensor("input"), a.optionalTensor("weight"), a.optionalTensor("bias"));
            }
            case "prelu": {
                // PyTorch applies the slope per channel (axis 1); ONNX PRelu broadcasts it from the last axis, so a
                // slope of C entries becomes C x 1 x ... (rank - 1 axes), as torch.onnx unsqueezes it.
                Args a = new Args(graph, name, args, kw, "self", "weight");
                TensorValue self = a.tensor("self");
                TensorValue weight = a.tensor("weight");
                if (!self.known() || !weight.known()) {
                    return NOT_HANDLED;
                }
                int rank = self.info().rank();
                if (rank > 2 && weight.info().rank() == 1) {
                    long[] axes = new long[rank - 2];
                    for (int i = 0; i < axes.length; i++) {
                        axes[i] = i + 1;
                    }
                    weight = emit("Unsqueeze", site, attrs(), weight, graph.ints(axes));
                }
                return emit("PRelu", site, attrs(), self, weight);
            }
            case "layer_norm": {
                Args a = new Args(graph, name, args, kw, "input", "normalized_shape", "weight", "bias", "eps", "cudnn_enable");
                List<Long> normalized = a.ints("normalized_shape", 1, null);
                return emit("LayerNormalization", site,
                        attrs("axis", new Attribute.Int(-normalized.size()), "epsilon", new Attribute.Float(a.real("eps", 1e-5))),
                        a.tensor("input"), a.optionalTensor("weight"), a.optionalTensor("bias"));
            }
            case "dropout":
            case "feature_dropout":
            case "alpha_dropout":
            case "feature_alpha_dropout": {
                Args a = new Args(graph, name, args, kw, "input", "p", "train");
                if (a.flag("train", false) && a.real("p", 0.5) != 0) {
                    // Training-mode dropout with p > 0 is random; with p = 0 (F.dropout's default training=True
                    // in torchvision's Swin attention) it is the identity, as in eval mode.
                    return NOT_HANDLED;
                }
                return emit("Dropout", site, attrs(), a.tensor("input"));
            }
            case "add":
            case "sub":
            case "rsub": {
                Args a = new Args(graph, name, args, kw, "self", "other", "alpha");
                TensorValue self = a.tensor("self");
                TensorValue other = a.tensor("other");
                Object alpha = a.get("alpha");
                if (alpha != null && !(alpha instanceof Long l && l == 1)) {
                    other = emit("Mul", site, attrs(), other, graph.scalar(alpha instanceof Number ? alpha : 1L));
                }
                if (name.equals("rsub")) {
                    return emit("Sub", site, attrs(), other, self);
                }
                return emit(name.equals("add") ? "Add" : "Sub", site, attrs(), self, other);
            }
            case "mul":
            case "div":
            case "pow": {
                Args a = new Args(graph, name, args, kw, "self", "other", "rounding_mode");
                if (a.has("rounding_mode")) {
                    return NOT_HANDLED;
                }
                String op = name.equals("mul") ? "Mul" : name.equals("div") ? "Div" : "Pow";
                return emit(op, site, attrs(), a.tensor("self"), a.tensor("other"));
            }
            case "cat":
            case "concat": {
                Args a = new Args(graph, name, args, kw, "tensors", "dim");
                List<Object> items = items(a.get("tensors"));
                if (items == null) {
                    return NOT_HANDLED;
                }
                List<TensorValue> inputs = new ArrayList<>();
                for (Object item : items) {
                    if (!(item instanceof TensorValue t)) {
                        return NOT_HANDLED;
                    }
                    inputs.add(t);
                }
                return emit("Concat", site, attrs("axis", new Attribute.Int(a.integer("dim", 0))), inputs.toArray(new TensorValue[0]));
            }
            case "mean":
            case "sum":
            case "amax": {
                Args a = new Args(graph, name, args, kw, "self", "dim", "keepdim", "dtype");
                Map<String, Attribute> attributes = attrs("keepdims", new Attribute.Int(a.flag("keepdim", false) ? 1 : 0));
                if (a.has("dim")) {
                    attributes.put("axes", new Attribute.Ints(a.ints("dim", 1, null)));
                }
                String op = name.equals("mean") ? "ReduceMean" : name.equals("sum") ? "ReduceSum" : "ReduceMax";
                return emit(op, site, attributes, a.tensor("self"));
            }
            case "permute": {
                Args a = new Args(graph, name, args, kw, "self", "dims");
                return emit("Transpose", site, attrs("perm", new Attribute.Ints(a.ints("dims", 1, null))), a.tensor("self"));
            }
            case "transpose": {
                Args a = new Args(graph, name, args, kw, "self", "dim0", "dim1");
                TensorValue self = a.tensor("self");
                if (!self.known()) {
                    return NOT_HANDLED;
                }
                int rank = self.info().rank();
                int d0 = self.info().shape().normalizeAxis((int) a.integer("dim0", 0));
                int d1 = self.info().shape().normalizeAxis((int) a.integer("dim1", 1));
                long[] perm = new long[rank];
                for (int i = 0; i < rank; i++) {
                    perm[i] = i == d0 ? d1 : i == d1 ? d0 : i;
                }
                return emit("Transpose", site, attrs("perm", Attribute.ints(perm)), self);
            }
            case "t": {
                TensorValue self = new Args(graph, name, args, kw, "self").tensor("self");
                return emit("Transpose", site, attrs("perm", Attribute.ints(1, 0)), self);
            }
            case "reshape":
            case "view": {
                Args a = new Args(graph, name, args, kw, "self", "shape");
                List<Long> shape = a.ints("shape", 1, null);
                return emit("Reshape", site, attrs(), a.tensor("self"), graph.ints(toArray(shape)));
            }
            case "unsqueeze":
            case "squeeze": {
                Args a = new Args(graph, name, args, kw, "self", "dim");
                String op = name.equals("unsqueeze") ? "Unsqueeze" : "Squeeze";
                TensorValue axes = a.has("dim") ? graph.ints(toArray(a.ints("dim", 1, null))) : null;
                return emit(op, site, attrs(), a.tensor("self"), axes);
            }
            case "select": {
                Args a = new Args(graph, name, args, kw, "self", "dim", "index");
                TensorValue index = graph.scalar(a.integer("index", 0));
                return emit("Gather", site, attrs("axis", new Attribute.Int(a.integer("dim", 0))), a.tensor("self"), index);
            }
            case "slice": {
                Args a = new Args(graph, name, args, kw, "self", "dim", "start", "end", "step");
                long start = a.integer("start", 0);
                long end = a.integer("end", Long.MAX_VALUE);
                return emit("Slice", site, attrs(), a.tensor("self"), graph.ints(start), graph.ints(end),
                        graph.ints(a.integer("dim", 0)), graph.ints(a.integer("step", 1)));
            }
            case "chunk", "unsafe_chunk":
            case "split", "unsafe_split":
                return split(name.replace("unsafe_", ""), new Args(graph, name, args, kw, "self", name.endsWith("chunk") ? "chunks" : "split_size", "dim"), site);
            case "pad":
            case "constant_pad_nd":
                return pad(new Args(graph, name, args, kw, "self", "pad", "mode", "value"), site);
            case "roll":
                return roll(new Args(graph, name, args, kw, "self", "shifts", "dims"), site);
            case "new_zeros":
            case "new_ones":
            case "new_full":
            case "zeros":
            case "ones":
            case "full": {
                // A tensor filled with one value whose shape is known: ConstantOfShape, as the exporter folds it.
                boolean full = name.endsWith("full");
                Args a = name.startsWith("new_")
                        ? (full ? new Args(graph, name, args, kw, "self", "size", "fill_value", "dtype", "layout", "device", "pin_memory")
                                : new Args(graph, name, args, kw, "self", "size", "dtype", "layout", "device", "pin_memory"))
                        : (full ? new Args(graph, name, args, kw, "size", "fill_value", "dtype", "layout", "device", "pin_memory")
                                : new Args(graph, name, args, kw, "size", "dtype", "layout", "device", "pin_memory"));
                double value = full ? a.real("fill_value", 0) : name.endsWith("ones") ? 1 : 0;
                TensorValue shape = graph.ints(toArray(a.ints("size", 1, null)));
                ConstTensor fill = new ConstTensor(DType.FLOAT32, Shape.of(1), ConstData.ofFloats(value));
                return emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(fill)), shape);
            }
            case "masked_fill": {
                Args a = new Args(graph, name, args, kw, "self", "mask", "value");
                return emit("Where", site, attrs(), a.tensor("mask"), a.tensor("value"), a.tensor("self"));
            }
            case "eq":
            case "ne":
            case "lt":
            case "le":
            case "gt":
            case "ge": {
                Args a = new Args(graph, name, args, kw, "self", "other");
                String op = switch (name) {
                    case "eq", "ne" -> "Equal";
                    case "lt" -> "Less";
                    case "le" -> "LessOrEqual";
                    case "gt" -> "Greater";
                    default -> "GreaterOrEqual";
                };
                TensorValue result = emit(op, site, attrs(), a.tensor("self"), a.tensor("other"));
                return name.equals("ne") ? emit("Not", site, attrs(), result) : result;
            }
            case "index": {
                // x[idx] with one index tensor on the first axis is a Gather, as the ONNX exporter writes it.
                Args a = new Args(graph, name, args, kw, "self", "indices");
                List<Object> indices = items(a.get("indices"));
                if (indices == null || indices.size() != 1 || !(indices.get(0) instanceof TensorValue index)) {
                    return NOT_HANDLED;
                }
                if (index.known() && index.info().dtype() == DType.BOOL) {
                    // x[mask]: as torch.onnx writes it, NonZero (the kept positions, as many as the data says, at most
                    // the mask's size), transposed to one row per position, then GatherND.
                    TensorValue positions = emit("NonZero", site, attrs(), index);
                    TensorValue rows = emit("Transpose", site, attrs("perm", Attribute.ints(1, 0)), positions);
                    return emit("GatherND", site, attrs(), a.tensor("self"), rows);
                }
                if (!index.known()) {
                    return NOT_HANDLED;
                }
                return emit("Gather", site, attrs("axis", new Attribute.Int(0)), a.tensor("self"), index);
            }
            case "full_like":
            case "zeros_like":
            case "ones_like": {
                // A tensor of x's shape filled with one value: ConstantOfShape, as for torch.full.
                Args a = name.equals("full_like")
                        ? new Args(graph, name, args, kw, "self", "fill_value", "dtype", "layout", "device", "pin_memory", "memory_format")
                        : new Args(graph, name, args, kw, "self", "dtype", "layout", "device", "pin_memory", "memory_format");
                TensorValue self = a.tensor("self");
                if (!self.known()) {
                    return NOT_HANDLED;
                }
                double value = name.equals("full_like") ? a.real("fill_value", 0) : name.startsWith("ones") ? 1 : 0;
                ConstTensor fill = new ConstTensor(DType.FLOAT32, Shape.of(1), ConstData.ofFloats(value));
                return emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(fill)), graph.ints(self.info().shape().toArray()));
            }
            case "unbind": {
                // The slices along dim, each without that axis: Split into pieces of 1, then Squeeze.
                Args a = new Args(graph, name, args, kw, "self", "dim");
                TensorValue self = a.tensor("self");
                if (!self.known() || self.info().dataDependent()) {
                    return NOT_HANDLED;
                }
                long dim = a.integer("dim", 0);
                int axis = self.info().shape().normalizeAxis((int) dim);
                int pieces = (int) self.info().shape().dim(axis);
                if (pieces > 1024) {
                    return NOT_HANDLED;
                }
                long[] ones = new long[pieces];
                java.util.Arrays.fill(ones, 1);
                List<TensorValue> parts = graph.emit("Split", List.of(self.name(), graph.ints(ones).name()),
                        attrs("axis", new Attribute.Int(axis)), pieces, site.layer(), site.source());
                List<Object> result = new ArrayList<>();
                for (TensorValue part : parts) {
                    result.add(emit("Squeeze", site, attrs(), part, graph.ints(axis)));
                }
                return result;
            }
            case "copy": {
                // dst.copy_(src): dst's values replaced by src broadcast to dst's shape; data movement, no arithmetic.
                Args a = new Args(graph, name, args, kw, "self", "src", "non_blocking");
                TensorValue self = a.tensor("self");
                if (!self.known()) {
                    return NOT_HANDLED;
                }
                return emit("Expand", site, attrs(), a.tensor("src"), graph.ints(self.info().shape().toArray()));
            }
            case "arange": {
                // arange(end), arange(start, end) or arange(start, end, step): ONNX Range over known integers.
                List<Object> bounds = new ArrayList<>();
                for (Object arg : args) {
                    if (!(arg instanceof Long || arg instanceof Double)) {
                        break;
                    }
                    bounds.add(arg);
                }
                if (bounds.isEmpty() || bounds.size() > 3) {
                    return NOT_HANDLED;
                }
                Object start = bounds.size() == 1 ? (Object) 0L : bounds.get(0);
                Object end = bounds.size() == 1 ? bounds.get(0) : bounds.get(1);
                Object step = bounds.size() == 3 ? bounds.get(2) : (Object) 1L;
                return emit("Range", site, attrs(), graph.scalar(start), graph.scalar(end), graph.scalar(step));
            }
            case "expand": {
                Args a = new Args(graph, name, args, kw, "self", "size", "implicit");
                TensorValue self = a.tensor("self");
                List<Long> size = a.ints("size", 1, null);
                if (size.contains(-1L)) {
                    if (!self.known()) {
                        return NOT_HANDLED;
                    }
                    // -1 keeps the input's size there (aligned from the right, as broadcasting is).
                    List<Long> resolved = new ArrayList<>(size);
                    int offset = size.size() - self.info().rank();
                    for (int i = 0; i < size.size(); i++) {
                        if (size.get(i) == -1L && i >= offset) {
                            resolved.set(i, self.info().shape().dim(i - offset));
                        }
                    }
                    size = resolved;
                }
                return emit("Expand", site, attrs(), self, graph.ints(toArray(size)));
            }
            case "_native_multi_head_attention":
                return selfAttention(new Args(graph, name, args, kw, "query", "key", "value", "embed_dim", "num_head", "qkv_weight",
                        "qkv_bias", "proj_weight", "proj_bias", "mask", "need_weights", "average_attn_weights", "mask_type"), site);
            case "tensor":
            case "as_tensor":
            case "scalar_tensor": {
                // torch.tensor(3.0), torch.as_tensor(self.image_mean, dtype=...): a constant from Python numbers,
                // known at load time; as_tensor of a tensor is that tensor (the dtype and device given match it here).
                Args a = new Args(graph, name, args, kw, "data", "dtype", "device", "requires_grad", "pin_memory");
                Object value = a.get("data");
                if (value instanceof TensorValue tensor && name.equals("as_tensor")) {
                    return tensor;
                }
                return constantFrom(value, a.get("dtype"));
            }
            case "meshgrid": {
                // Each 1-D input reshaped to lie along its own axis and expanded to the grid, as torch.onnx writes it;
                // "xy" indexing swaps the first two axes of the grid.
                Args a = new Args(graph, name, args, kw, "tensors", "indexing");
                List<Object> items = items(a.get("tensors"));
                if (items == null || items.isEmpty()) {
                    return NOT_HANDLED;
                }
                List<TensorValue> inputs = new ArrayList<>();
                for (Object item : items) {
                    if (!(item instanceof TensorValue t) || !t.known() || t.info().rank() > 1) {
                        return NOT_HANDLED;
                    }
                    inputs.add(t);
                }
                int k = inputs.size();
                long[] grid = new long[k];
                for (int i = 0; i < k; i++) {
                    grid[i] = inputs.get(i).info().numel();
                }
                boolean xy = a.string("indexing", "ij").equals("xy") && k >= 2;
                if (xy) {
                    long first = grid[0];
                    grid[0] = grid[1];
                    grid[1] = first;
                }
                List<Object> outputs = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    int axis = xy && i < 2 ? 1 - i : i;
                    long[] along = new long[k];
                    java.util.Arrays.fill(along, 1);
                    along[axis] = grid[axis];
                    TensorValue placed = emit("Reshape", site, attrs(), inputs.get(i), graph.ints(along));
                    outputs.add(emit("Expand", site, attrs(), placed, graph.ints(grid)));
                }
                return outputs;
            }
            case "repeat": {
                // x.repeat(sizes): ONNX Tile, after unsqueezing x to the length of sizes.
                Args a = new Args(graph, name, args, kw, "self", "repeats");
                TensorValue self = a.tensor("self");
                List<Long> repeats = a.ints("repeats", 1, null);
                if (!self.known() || repeats.size() < self.info().rank()) {
                    return NOT_HANDLED;
                }
                int extra = repeats.size() - self.info().rank();
                if (extra > 0) {
                    long[] axes = new long[extra];
                    for (int i = 0; i < extra; i++) {
                        axes[i] = i;
                    }
                    self = emit("Unsqueeze", site, attrs(), self, graph.ints(axes));
                }
                return emit("Tile", site, attrs(), self, graph.ints(toArray(repeats)));
            }
            case "stack": {
                // torch.stack(tensors, dim): each unsqueezed at dim, then concatenated there.
                Args a = new Args(graph, name, args, kw, "tensors", "dim");
                List<Object> items = items(a.get("tensors"));
                if (items == null || items.isEmpty()) {
                    return NOT_HANDLED;
                }
                long dim = a.integer("dim", 0);
                List<TensorValue> inputs = new ArrayList<>();
                for (Object item : items) {
                    if (!(item instanceof TensorValue t) || !t.known()) {
                        return NOT_HANDLED;
                    }
                    long axis = dim < 0 ? dim + t.info().rank() + 1 : dim;
                    inputs.add(emit("Unsqueeze", site, attrs(), t, graph.ints(axis)));
                }
                long axis = dim < 0 ? dim + inputs.get(0).info().rank() : dim;
                return emit("Concat", site, attrs("axis", new Attribute.Int(axis)), inputs.toArray(new TensorValue[0]));
            }
            case "einsum": {
                Args a = new Args(graph, name, args, kw, "equation", "tensors", "path");
                List<Object> items = items(a.get("tensors"));
                if (items == null) {
                    return NOT_HANDLED;
                }
                List<TensorValue> inputs = new ArrayList<>();
                for (Object item : items) {
                    if (!(item instanceof TensorValue t)) {
                        return NOT_HANDLED;
                    }
                    inputs.add(t);
                }
                return emit("Einsum", site, attrs("equation", new Attribute.Str(a.string("equation", ""))), inputs.toArray(new TensorValue[0]));
            }
            default:
                return java.util.stream.Stream.of(new RecurrentOps(graph), new InterpolationOps(graph), new DTypeOps(graph), new QuantizedOps(graph)).map(f -> f.call(name, args, kw, site)).filter(r -> r != NOT_HANDLED).findAny().orElse(UNMAPPED);
        }
    }

    /**
     * A constant tensor of a Python number or a nested list of them (all rows the same length), of ScalarType
     * {@code dtype} when one is given, else int64 for integers and float32 for floats, as {@code torch.tensor} infers.
     */
    private Object constantFrom(Object value, Object dtype) {
        List<Long> dims = new ArrayList<>();
        List<Object> flat = new ArrayList<>();
        Object level = value;
        while (items(level) != null) {
            List<Object> row = items(level);
            dims.add((long) row.size());
            if (row.isEmpty()) {
                break;
            }
            level = row.get(0);
        }
        if (!flatten(value, 0, dims, flat) || flat.size() > 1024) {
            return NOT_HANDLED;
        }
        boolean floating = flat.stream().anyMatch(Double.class::isInstance);
        DType type = dtype instanceof Long code ? ScalarTypes.dtype(code).orElse(null) : floating ? DType.FLOAT32 : DType.INT64;
        if (type == null || !type.isFloatingPoint() && !type.isIntegral()) {
            return NOT_HANDLED;
        }
        Shape shape = new Shape(dims);
        if (type.isFloatingPoint()) {
            double[] values = flat.stream().mapToDouble(v -> v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue()).toArray();
            return graph.constant(new ConstTensor(type, shape, ConstData.ofFloats(values)));
        }
        long[] values = flat.stream().mapToLong(v -> v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue()).toArray();
        return graph.constant(new ConstTensor(type, shape, ConstData.ofInts(values)));
    }

    /** Appends the numbers of a nested list in row-major order; false when it is ragged or holds anything else. */
    private static boolean flatten(Object value, int axis, List<Long> dims, List<Object> into) {
        if (axis == dims.size()) {
            if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
                into.add(value);
                return true;
            }
            return false;
        }
        List<Object> row = items(value);
        if (row == null || row.size() != dims.get(axis)) {
            return false;
        }
        for (Object item : row) {
            if (!flatten(item, axis + 1, dims, into)) {
                return false;
            }
        }
        return true;
    }

    private static int spatialRank(String name) {
        return name.charAt(name.length() - 2) - '0';
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private Object conv(Args a, boolean transposed, Site site) {
        TensorValue input = a.tensor("input");
        TensorValue weight = a.tensor("weight");
        if (!weight.known()) {
            return NOT_HANDLED;
        }
        Shape w = weight.info().shape();
        int rank = w.rank() - 2;
        List<Long> kernel = w.dims().subList(2, w.rank());
        List<Long> strides = a.ints("stride", rank, Args.repeat(1, rank));
        List<Long> dilations = a.ints("dilation", rank, Args.repeat(1, rank));
        List<Long> padding;
        Object pad = a.get("padding");
        if (pad instanceof String mode) {
            padding = null;
            if (mode.equals("valid")) {
                padding = Args.repeat(0, rank * 2);
            } else if (mode.equals("same")) {
                // PyTorch's 'same': total = dilation * (k - 1), the extra element on the end side.
                List<Long> begins = new ArrayList<>();
                List<Long> ends = new ArrayList<>();
                for (int i = 0; i < rank; i++) {
                    long total = dilations.get(i) * (kernel.get(i) - 1);
                    begins.add(total / 2);
                    ends.add(total - total / 2);
                }
                padding = new ArrayList<>(begins);
                padding.addAll(ends);
            } else {
                return NOT_HANDLED;
            }
        } else {
            List<Long> p = a.ints("padding", rank, Args.repeat(0, rank));
            padding = new ArrayList<>(p);
            padding.addAll(p);
        }
        Map<String, Attribute> attributes = attrs(
                "dilations", new Attribute.Ints(dilations),
                "group", new Attribute.Int(a.integer("groups", 1)),
                "kernel_shape", new Attribute.Ints(kernel),
                "pads", new Attribute.Ints(padding),
                "strides", new Attribute.Ints(strides));
        if (transposed) {
            attributes.put("output_padding", new Attribute.Ints(a.ints("output_padding", rank, Args.repeat(0, rank))));
        }
        return emit(transposed ? "ConvTranspose" : "Conv", site, attributes, input, weight, a.optionalTensor("bias"));
    }

    private Object pool(String op, Args a, int rank, Site site) {
        List<Long> kernel = a.ints("kernel_size", rank, null);
        List<Long> strides = a.ints("stride", rank, List.of());
        if (strides.isEmpty()) {
            // An empty stride means stride = kernel (torch.nn.functional.max_pool2d's default).
            strides = kernel;
        }
        List<Long> p = a.ints("padding", rank, Args.repeat(0, rank));
        List<Long> pads = new ArrayList<>(p);
        pads.addAll(p);
        Map<String, Attribute> attributes = attrs(
                "ceil_mode", new Attribute.Int(a.flag("ceil_mode", false) ? 1 : 0),
                "kernel_shape", new Attribute.Ints(kernel),
                "pads", new Attribute.Ints(pads),
                "strides", new Attribute.Ints(strides));
        if (op.equals("MaxPool")) {
            attributes.put("dilations", new Attribute.Ints(a.ints("dilation", rank, Args.repeat(1, rank))));
        } else {
            attributes.put("count_include_pad", new Attribute.Int(a.flag("count_include_pad", true) ? 1 : 0));
        }
        return emit(op, site, attributes, a.tensor("self"));
    }

    private Object flatten(Args a, Site site) {
        TensorValue self = a.tensor("self");
        long start = a.integer("start_dim", 0);
        long end = a.integer("end_dim", -1);
        int rank = self.known() ? self.info().rank() : -1;
        if (start == 1 && (end == -1 || end == rank - 1)) {
            // ONNX Flatten(axis=1) keeps dim 0 and joins the rest: exactly torch.flatten(x, 1).
            return emit("Flatten", site, attrs("axis", new Attribute.Int(1)), self);
        }
        if (rank < 0) {
            return NOT_HANDLED;
        }
        Shape shape = self.info().shape();
        int s = shape.normalizeAxis((int) start);
        int e = shape.normalizeAxis((int) end);
        List<Long> target = new ArrayList<>();
        long joined = 1;
        for (int i = 0; i < rank; i++) {
            if (i < s || i > e) {
                target.add(shape.dim(i));
            } else {
                joined = Math.multiplyExact(joined, shape.dim(i));
                if (i == e) {
                    target.add(joined);
                }
            }
        }
        return emit("Reshape", site, attrs(), self, graph.ints(toArray(target)));
    }

    private Object split(String name, Args a, Site site) {
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return NOT_HANDLED;
        }
        Shape shape = self.info().shape();
        long axis = a.integer("dim", 0);
        long size = shape.dim((int) axis);
        List<Long> sizes = new ArrayList<>();
        Object how = a.get(name.equals("chunk") ? "chunks" : "split_size");
        if (how instanceof Long n) {
            long piece = name.equals("chunk") ? (size + n - 1) / n : n;
            for (long done = 0; done < size; done += piece) {
                sizes.add(Math.min(piece, size - done));
            }
        } else {
            sizes.addAll(a.ints(name.equals("chunk") ? "chunks" : "split_size", 1, null));
        }
        List<TensorValue> outputs = graph.emit("Split", List.of(self.name(), graph.ints(toArray(sizes)).name()),
                attrs("axis", new Attribute.Int(axis)), sizes.size(), site.layer(), site.source());
        return new ArrayList<Object>(outputs);
    }

    /** {@code F.pad}: PyTorch lists (begin, end) pairs from the last axis backwards; ONNX all begins, then all ends. */
    private Object pad(Args a, Site site) {
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return NOT_HANDLED;
        }
        int rank = self.info().rank();
        List<Long> pairs = a.ints("pad", 1, null);
        if (pairs.size() % 2 != 0 || pairs.size() / 2 > rank) {
            return NOT_HANDLED;
        }
        long[] pads = new long[2 * rank];
        for (int i = 0; i < pairs.size() / 2; i++) {
            int axis = rank - 1 - i;
            pads[axis] = pairs.get(2 * i);
            pads[rank + axis] = pairs.get(2 * i + 1);
        }
        String mode = switch (a.string("mode", "constant")) {
            case "constant" -> "constant";
            case "reflect" -> "reflect";
            case "replicate" -> "edge";
            default -> null;
        };
        if (mode == null) {
            return NOT_HANDLED;
        }
        return emit("Pad", site, attrs("mode", new Attribute.Str(mode)), self, graph.ints(pads),
                a.has("value") ? a.tensor("value") : null);
    }

    /**
     * {@code torch.roll} as the ONNX exporter writes it: per axis, the last {@code shift} elements sliced off and
     * concatenated in front. Data movement only; no arithmetic.
     */
    private Object roll(Args a, Site site) {
        TensorValue x = a.tensor("self");
        List<Long> shifts = a.ints("shifts", 1, null);
        List<Long> dims = a.ints("dims", 1, List.of());
        if (dims.size() != shifts.size()) {
            return NOT_HANDLED;
        }
        for (int i = 0; i < dims.size(); i++) {
            long shift = shifts.get(i);
            long axis = dims.get(i);
            TensorValue tail = emit("Slice", site, attrs(), x, graph.ints(-shift), graph.ints(Long.MAX_VALUE), graph.ints(axis));
            TensorValue head = emit("Slice", site, attrs(), x, graph.ints(0), graph.ints(-shift), graph.ints(axis));
            x = emit("Concat", site, attrs("axis", new Attribute.Int(axis)), tail, head);
        }
        return x;
    }

    /**
     * The fused self-attention of {@code nn.MultiheadAttention}'s fast path, written out as the ops it performs
     * (those of {@code F.multi_head_attention_forward}): input projection, per-head scores, softmax, weighted sum,
     * output projection. Only self-attention without a mask; anything else stays unsupported.
     */
    private Object selfAttention(Args a, Site site) {
        TensorValue query = a.tensor("query");
        if (a.has("mask") || a.flag("need_weights", true) || !query.known() || query.info().rank() != 3
                || !a.tensor("key").name().equals(query.name()) || !a.tensor("value").name().equals(query.name())) {
            return NOT_HANDLED;
        }
        Shape shape = query.info().shape();
        long batch = shape.dim(0);
        long length = shape.dim(1);
        long embed = a.integer("embed_dim", shape.dim(2));
        long heads = a.integer("num_head", 1);
        long headDim = embed / heads;
        TensorValue qkv = emit("Linear", site, attrs(), query, a.tensor("qkv_weight"), a.optionalTensor("qkv_bias"));
        List<TensorValue> parts = graph.emit("Split", List.of(qkv.name(), graph.ints(embed, embed, embed).name()),
                attrs("axis", new Attribute.Int(-1)), 3, site.layer(), site.source());
        TensorValue[] byHead = new TensorValue[3];
        for (int i = 0; i < 3; i++) {
            TensorValue split = emit("Reshape", site, attrs(), parts.get(i), graph.ints(batch, length, heads, headDim));
            byHead[i] = emit("Transpose", site, attrs("perm", Attribute.ints(0, 2, 1, 3)), split);
        }
        TensorValue keysT = emit("Transpose", site, attrs("perm", Attribute.ints(0, 1, 3, 2)), byHead[1]);
        TensorValue scores = emit("MatMul", site, attrs(), byHead[0], keysT);
        TensorValue scaled = emit("Mul", site, attrs(), scores, graph.scalar(1.0 / Math.sqrt(headDim)));
        TensorValue weights = emit("Softmax", site, attrs("axis", new Attribute.Int(-1)), scaled);
        TensorValue context = emit("MatMul", site, attrs(), weights, byHead[2]);
        TensorValue merged = emit("Transpose", site, attrs("perm", Attribute.ints(0, 2, 1, 3)), context);
        TensorValue flat = emit("Reshape", site, attrs(), merged, graph.ints(batch, length, embed));
        TensorValue out = emit("Linear", site, attrs(), flat, a.tensor("proj_weight"), a.optionalTensor("proj_bias"));
        return new TupleValue(java.util.Arrays.asList(out, null));
    }

    private Object unary(String op, String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = new Args(graph, name, args, kw, "self", "inplace");
        return emit(op, site, attrs(), a.tensor("self"));
    }

    private Object clip(TensorValue x, double min, double max, Site site) {
        return emit("Clip", site, attrs(), x, graph.scalar(min), graph.scalar(max));
    }

    /**
     * An op without a mapping: a node of type {@code aten::<name>} over the call's tensors, counted as unsupported. An op
     * Tally maps ({@code mapped}) that could not be mapped because one of those tensors has no known shape (it comes out
     * of a gap or of an unsupported op) says so ({@link ShapePass#AWAITS_INPUTS}): it is then one of the nodes left out
     * because of what feeds it, not another op without a rule. An op no case maps stays unsupported whatever its inputs.
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
