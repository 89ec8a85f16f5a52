package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tensors made by TorchScript code: {@code zeros}, {@code ones}, {@code full} and their {@code new_} and
 * {@code _like} forms (ConstantOfShape), {@code arange} (Range), {@code linspace} and {@code tensor}, {@code as_tensor},
 * {@code scalar_tensor} (a constant of Python numbers known at load time), {@code fill_}, {@code zero_} (Fill:
 * every element of a tensor set to one value, in place) and {@code eye} (ConstantOfShape, EyeLike).
 */
final class CreationOps extends AtenFamily {

    CreationOps(GraphBuilder graph) {
        super(graph);
        put(this::filled, "new_zeros", "new_ones", "new_full", "zeros", "ones", "full", "empty", "new_empty");
        put(this::filledLike, "full_like", "zeros_like", "ones_like");
        put(this::arange, "arange");
        put(this::linspace, "linspace");
        put(this::tensor, "tensor", "as_tensor", "scalar_tensor");
        put(this::fill, "fill", "zero");
        put(this::eye, "eye");
    }

    private Object fill(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.fill_(v), x.zero_(): Swin's shifted-window mask fills slices of a zero tensor (traced code writes
        // fill_ where scripted code writes copy_), Swin V2 zeroes the k part of its qkv bias.
        Args a = name.equals("zero") ? bind(name, args, kw, "self") : bind(name, args, kw, "self", "value");
        TensorValue value = name.equals("zero") ? graph.scalar(0L) : a.tensor("value");
        return emit("Fill", site, attrs(), a.tensor("self"), value);
    }

    private Object eye(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // eye(n, m=n, dtype=...): ConstantOfShape [n, m], then EyeLike, as torch.onnx writes it (HDemucs's local attention
        // masks its diagonal with a bool eye).
        boolean square = args.size() < 2 || !(args.get(1) instanceof Long);
        Args a = square ? bind(name, args, kw, "n", "dtype", "layout", "device", "pin_memory")
                : bind(name, args, kw, "n", "m", "dtype", "layout", "device", "pin_memory");
        long n = a.integer("n", 0);
        DType type = a.get("dtype") instanceof Long code ? ScalarTypes.dtype(code).orElse(null) : DType.FLOAT32;
        if (type == null || ScalarTypes.onnxCode(type).isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        ConstTensor zero = new ConstTensor(DType.FLOAT32, Shape.of(1), ConstData.ofFloats(0));
        TensorValue zeros = emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(zero)), graph.ints(n, a.integer("m", n)));
        return emit("EyeLike", site, attrs("dtype", new Attribute.Int(ScalarTypes.onnxCode(type).get())), zeros);
    }

    private Object filled(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // A tensor filled with one value whose shape is known: ConstantOfShape, as the exporter folds it.
        boolean full = name.endsWith("full");
        Args a = name.startsWith("new_")
                ? (full ? bind(name, args, kw, "self", "size", "fill_value", "dtype", "layout", "device", "pin_memory")
                        : bind(name, args, kw, "self", "size", "dtype", "layout", "device", "pin_memory", "memory_format"))
                : (full ? bind(name, args, kw, "size", "fill_value", "dtype", "layout", "device", "pin_memory")
                        : bind(name, args, kw, "size", "dtype", "layout", "device", "pin_memory", "memory_format"));
        // empty's values are whatever the memory held: Tally keeps them as 0, which no valid code reads (Emformer
        // starts its memory bank as empty([0])).
        double value = full ? a.real("fill_value", 0) : name.endsWith("ones") ? 1 : 0;
        DType type = dtype(a, name, full);
        if (type == null) {
            return AtenOps.NOT_HANDLED;
        }
        ConstTensor fill = new ConstTensor(type, Shape.of(1), type.isFloatingPoint() ? ConstData.ofFloats(value) : ConstData.ofInts((long) value));
        // A size read from data (an LSTM's zero state for a packed batch) makes a data-dependent shape tensor.
        return emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(fill)), sizes(a, "size", site));
    }

    /**
     * The element type PyTorch gives a filled tensor: the {@code dtype} argument; else {@code self}'s for the
     * {@code new_} forms; else int64 or bool for {@code full} of an int or a bool; else float32. Null when the type is
     * one Tally cannot fill (complex, quantized) or not known.
     */
    private static DType dtype(Args a, String name, boolean full) {
        DType type;
        if (a.get("dtype") instanceof Long code) {
            type = ScalarTypes.dtype(code).orElse(null);
        } else if (a.has("dtype")) {
            return null;
        } else if (name.startsWith("new_")) {
            TensorValue self = a.tensor("self");
            type = self.known() ? self.info().dtype() : null;
        } else if (full && a.get("fill_value") instanceof Long) {
            type = DType.INT64;
        } else if (full && a.get("fill_value") instanceof Boolean) {
            type = DType.BOOL;
        } else {
            type = DType.FLOAT32;
        }
        return type != null && (type.isFloatingPoint() || type.isIntegral()) ? type : null;
    }

    private Object filledLike(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // A tensor of x's shape filled with one value: ConstantOfShape, as for torch.full.
        Args a = name.equals("full_like")
                ? bind(name, args, kw, "self", "fill_value", "dtype", "layout", "device", "pin_memory", "memory_format")
                : bind(name, args, kw, "self", "dtype", "layout", "device", "pin_memory", "memory_format");
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        double value = name.equals("full_like") ? a.real("fill_value", 0) : name.startsWith("ones") ? 1 : 0;
        // PyTorch's element type: the dtype argument, else x's (ones_like(mask, dtype=torch.bool) is a mask, SSD's
        // full_like(score, label, dtype=torch.int64) holds labels).
        DType type = a.get("dtype") instanceof Long code ? ScalarTypes.dtype(code).orElse(null)
                : a.has("dtype") ? null : self.info().dtype();
        if (type == null || !(type.isFloatingPoint() || type.isIntegral() || type == DType.BOOL)) {
            return AtenOps.NOT_HANDLED;
        }
        ConstTensor fill = new ConstTensor(type, Shape.of(1),
                type.isFloatingPoint() ? ConstData.ofFloats(value) : ConstData.ofInts((long) value));
        return graph.sameSizesAs(emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(fill)), shapeOf(self, site)), self);
    }

    private Object arange(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // arange(end), arange(start, end) or arange(start, end, step): ONNX Range over known integers, or over a number
        // known only by its bound (Conformer's arange(max(lengths).item())), whose Range is then data-dependent.
        List<Object> bounds = new ArrayList<>();
        for (Object arg : args) {
            // A bounded int no graph value holds is taken at its bound (AtenOps marks the Range data-dependent); one a
            // graph value holds is that value.
            Object value = arg instanceof Values.Bounded bounded && !Values.isHeld(arg) ? (Object) bounded.bound() : arg;
            if (!(value instanceof Long || value instanceof Double || Values.isHeld(value))) {
                break;
            }
            bounds.add(value);
        }
        if (bounds.isEmpty() || bounds.size() > 3) {
            return AtenOps.NOT_HANDLED;
        }
        Object start = bounds.size() == 1 ? (Object) 0L : bounds.get(0);
        Object end = bounds.size() == 1 ? bounds.get(0) : bounds.get(1);
        Object step = bounds.size() == 3 ? bounds.get(2) : (Object) 1L;
        return emit("Range", site, attrs(), number(start), number(end), number(step));
    }

    private TensorValue number(Object value) {
        return Values.isHeld(value) ? Values.held(value) : graph.scalar(value);
    }

    private Object linspace(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // linspace(start, end, steps): steps evenly spaced numbers (RAFT's correlation window offsets), float32 unless
        // a dtype is given; the values kept when small, as PyTorch computes them (start + i * step, the upper half
        // counted back from end).
        Args a = bind(name, args, kw, "start", "end", "steps", "dtype", "layout", "device", "pin_memory");
        if (!(a.get("start") instanceof Number start) || !(a.get("end") instanceof Number end) || !(a.get("steps") instanceof Long steps)
                || steps < 0) {
            return AtenOps.NOT_HANDLED;
        }
        DType type = a.get("dtype") instanceof Long code ? ScalarTypes.dtype(code).orElse(null) : DType.FLOAT32;
        if (type == null || !type.isFloatingPoint() && !type.isIntegral()) {
            return AtenOps.NOT_HANDLED;
        }
        if (steps > 1024) {
            ConstTensor zero = new ConstTensor(type, Shape.of(1), type.isFloatingPoint() ? ConstData.ofFloats(0) : ConstData.ofInts(0));
            return emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(zero)), graph.ints(steps));
        }
        double from = start.doubleValue();
        double to = end.doubleValue();
        double step = steps > 1 ? (to - from) / (steps - 1) : 0;
        double[] values = new double[(int) (long) steps];
        for (int i = 0; i < values.length; i++) {
            values[i] = i < steps / 2 ? from + i * step : to - (steps - 1 - i) * step;
        }
        if (type.isFloatingPoint()) {
            return graph.constant(new ConstTensor(type, Shape.of(steps), ConstData.ofFloats(values)));
        }
        long[] ints = java.util.Arrays.stream(values).mapToLong(v -> (long) v).toArray();
        return graph.constant(new ConstTensor(type, Shape.of(steps), ConstData.ofInts(ints)));
    }

    private Object tensor(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // torch.tensor(3.0), torch.as_tensor(self.image_mean, dtype=...): a constant from Python numbers,
        // known at load time; as_tensor of a tensor is that tensor (the dtype and device given match it here).
        Args a = bind(name, args, kw, "data", "dtype", "device", "requires_grad", "pin_memory");
        Object value = a.get("data");
        if (value instanceof TensorValue tensor && name.equals("as_tensor")) {
            return tensor;
        }
        return constantFrom(value, a.get("dtype"));
    }

    /**
     * A constant tensor of a Python number or a nested list of them (all rows the same length), of ScalarType
     * {@code dtype} when one is given, else int64 for integers and float32 for floats, as {@code torch.tensor} infers.
     */
    private Object constantFrom(Object value, Object dtype) {
        List<Long> dims = new ArrayList<>();
        List<Object> flat = new ArrayList<>();
        Object level = value;
        while (AtenOps.items(level) != null) {
            List<Object> row = AtenOps.items(level);
            dims.add((long) row.size());
            if (row.isEmpty()) {
                break;
            }
            level = row.get(0);
        }
        if (!flatten(value, 0, dims, flat) || flat.size() > 1024) {
            return AtenOps.NOT_HANDLED;
        }
        boolean floating = flat.stream().anyMatch(Double.class::isInstance);
        DType type = dtype instanceof Long code ? ScalarTypes.dtype(code).orElse(null) : floating ? DType.FLOAT32 : DType.INT64;
        if (type == null || !type.isFloatingPoint() && !type.isIntegral()) {
            return AtenOps.NOT_HANDLED;
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
        List<Object> row = AtenOps.items(value);
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
}
