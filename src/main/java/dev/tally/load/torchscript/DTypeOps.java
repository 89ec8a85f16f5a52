package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The element-type conversions of TorchScript code: {@code x.to(dtype)}, {@code x.to(device, dtype)},
 * {@code x.to(other)}, {@code x.type_as(other)} and {@code x.half()}, {@code float()}, {@code double()},
 * {@code bfloat16()}, {@code long()}, {@code int()}, {@code short()}, {@code char()}, {@code byte()}, {@code bool()}.
 * A conversion to another type is an ONNX {@code Cast} node (cost 0, a new tensor of the new element size); one to
 * the same type, or a move to a device, returns the tensor itself, as PyTorch's {@code to} does. Python's
 * {@code float(t)}, {@code int(t)}, {@code bool(t)} and {@code t.item()} of a 1-element tensor give its number when its
 * values are known (computed from shapes and constants), else a number Tally does not read.
 */
final class DTypeOps implements OpFamily {
    private static final Map<String, DType> SHORTHANDS = Map.of(
            "half", DType.FLOAT16, "float", DType.FLOAT32, "double", DType.FLOAT64, "bfloat16", DType.BFLOAT16,
            "long", DType.INT64, "int", DType.INT32, "short", DType.INT16, "char", DType.INT8, "byte", DType.UINT8,
            "bool", DType.BOOL);

    /** TorchScript's {@code aten::Float(Tensor)}, {@code Int}, {@code Bool}: Python's float(t), int(t), bool(t). */
    private static final java.util.Set<String> SCALARS = java.util.Set.of("Float", "Int", "Bool");

    private final GraphBuilder graph;

    DTypeOps(GraphBuilder graph) {
        this.graph = graph;
    }

    @Override
    public Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        if (args.isEmpty() || !(args.get(0) instanceof TensorValue self)) {
            return AtenOps.NOT_HANDLED;
        }
        if ((SCALARS.contains(name) || name.equals("item")) && args.size() == 1) {
            // float(t), int(t), bool(t), t.item(): a 1-element tensor's value as a Python number. Known when the tensor
            // is computed from shapes and constants (the R-CNN transform's resize scale); otherwise a value Tally does
            // not read (the quantize stub's float(self.scale)), and no tensor is made; item() of it is listed.
            Object number = number(self, name);
            if (number != null) {
                return number;
            }
            if (bounded(self, name)) {
                // An integer read from data-dependent values (a packed sequence's batch_sizes[0]): known by its bound.
                TensorValue scalar = self.info().rank() == 0 ? self : graph.emit("Reshape", List.of(self.name(), graph.ints().name()),
                        new LinkedHashMap<>(), 1, site.layer(), site.source()).get(0);
                return new Values.Bounded(self.info().data().get().longAt(0), scalar);
            }
            Optional<GraphBuilder.ValueBound> stated = graph.valueBound(self);
            if (stated.isPresent() && self.known() && self.info().numel() == 1 && self.info().dtype().isIntegral()
                    && (name.equals("Int") || name.equals("item"))) {
                // An integer read from values the user bounds (Conformer's max(lengths).item(), lengths at most the padded
                // length by torchaudio's contract, stated with --input lengths=1:int64:max100): a BoundedValue node.
                TensorValue read = graph.emit("BoundedValue", List.of(self.name()), new LinkedHashMap<>(Map.of("max",
                        new Attribute.Int(stated.get().max()), "of", new Attribute.Str(stated.get().input()))), 1, site.layer(), site.source()).get(0);
                return new Values.Bounded(stated.get().max(), read);
            }
            Optional<Long> ranged = rangeBound(self, name);
            if (ranged.isPresent()) {
                // An integer read from values with bounds (keypointrcnn's int(widths_ceil[i].item()), a box's width clamped
                // to the image): known by its bound, a BoundedValue of the values truncated to int64.
                TensorValue whole = self.info().dtype() == DType.INT64 ? self : graph.emit("Cast", List.of(self.name()),
                        new LinkedHashMap<>(Map.of("to", new Attribute.Int(7))), 1, site.layer(), site.source()).get(0);
                TensorValue read = graph.emit("BoundedValue", List.of(whole.name()), new LinkedHashMap<>(Map.of("max",
                        new Attribute.Int(ranged.get()), "of", new Attribute.Str(self.name()), "values", new Attribute.Int(1))), 1,
                        site.layer(), site.source()).get(0);
                return new Values.Bounded(ranged.get(), read);
            }
            Optional<Values.Ranged> twoSided = rangeBelowZero(self, name);
            if (twoSided.isPresent()) {
                // int() of values bounded on both sides, the low end below 0 (an expanded box's width): an int known by
                // its range, which max(w, 1) makes a size again; the int64 values (int() truncates as Cast does) hold it.
                TensorValue whole = self.info().dtype() == DType.INT64 ? self : graph.emit("Cast", List.of(self.name()),
                        new LinkedHashMap<>(Map.of("to", new Attribute.Int(7))), 1, site.layer(), site.source()).get(0);
                Object read = BoundedInts.call("Int", List.of(twoSided.get()));
                return read instanceof Values.Ranged r ? new Values.Ranged(r.low(), r.high(), whole) : read;
            }
            return name.equals("item") ? AtenOps.NOT_HANDLED : Values.Unknown.VALUE;
        }
        Optional<DType> target;
        if (SHORTHANDS.containsKey(name) && args.size() == 1) {
            target = Optional.of(SHORTHANDS.get(name));
        } else if (name.equals("to") || name.equals("type_as")) {
            target = target(args, keywords);
        } else {
            return AtenOps.NOT_HANDLED;
        }
        if (target.isEmpty()) {
            // A device move returns the tensor itself; a type Tally cannot tell leaves the op unsupported, never guessed.
            return convertsToUnknown(args, keywords) ? AtenOps.NOT_HANDLED : self;
        }
        if (self.known() && self.info().dtype() == target.get()) {
            return self;
        }
        Optional<Long> code = ScalarTypes.onnxCode(target.get());
        if (code.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("to", new Attribute.Int(code.get()));
        return graph.emit("Cast", List.of(self.name()), attributes, 1, site.layer(), site.source()).get(0);
    }

    /**
     * The Python number a 1-element tensor of known values holds: {@code item()} gives a float for a floating tensor, an
     * int for an integer one and a bool for a bool one; {@code Float}, {@code Int} and {@code Bool} convert as Python's
     * float(), int() (toward zero) and bool() do. Null when the value is not known.
     */
    private static Object number(TensorValue self, String name) {
        if (!self.known() || !self.info().hasData() || self.info().dataDependent() || self.info().numel() != 1) {
            return null;
        }
        dev.tally.ir.ConstData data = self.info().data().get();
        DType dtype = self.info().dtype();
        String as = name.equals("item") ? (dtype == DType.BOOL ? "Bool" : dtype.isFloatingPoint() ? "Float" : dtype.isIntegral() ? "Int" : "") : name;
        return switch (as) {
            case "Float" -> data.doubleAt(0);
            case "Int" -> data.longAt(0);
            case "Bool" -> data.doubleAt(0) != 0;
            default -> null;
        };
    }

    /**
     * The bound of {@code int(t)} or {@code t.item()} when {@code self} is one element whose values
     * the shape pass bounds from 0 up (docs/conventions.md, "Value bounds"): its upper bound rounded down.
     */
    private static Optional<Long> rangeBound(TensorValue self, String name) {
        if (!self.known() || self.info().hasData() || self.info().numel() != 1 || self.info().range().isEmpty()
                || self.info().dtype() == DType.BOOL || !(name.equals("Int") || name.equals("item"))) {
            return Optional.empty();
        }
        dev.tally.analysis.ValueRange range = self.info().range().get();
        if (!(range.low(0) >= 0) || !range.boundedAbove() || range.high(0) >= Long.MAX_VALUE) {
            return Optional.empty();
        }
        // int() truncates, so at most the bound's floor; item() of a float keeps its fraction, so at most its ceiling.
        return Optional.of((long) (name.equals("Int") ? Math.floor(range.high(0)) : Math.ceil(range.high(0))));
    }

    /**
     * {@code int(t)} of one element whose values the shape pass bounds on both sides with the lower bound below 0: the
     * bounds truncated toward zero, as int() truncates (a monotone map, so the int lies between the truncated bounds).
     * Only int(): item() of a float is a float.
     */
    private static Optional<Values.Ranged> rangeBelowZero(TensorValue self, String name) {
        if (!self.known() || self.info().hasData() || self.info().numel() != 1 || self.info().range().isEmpty()
                || self.info().dtype() == DType.BOOL || !name.equals("Int")) {
            return Optional.empty();
        }
        dev.tally.analysis.ValueRange range = self.info().range().get();
        double low = range.low(0);
        double high = range.high(0);
        // Within 2^53 every int64 bound is exact as a double.
        if (!(low < 0) || !(Math.abs(low) < 0x1p53) || !(Math.abs(high) < 0x1p53) || low > high) {
            return Optional.empty();
        }
        long lo = (long) low;
        long hi = (long) high;
        return Optional.of(new Values.Ranged(lo, hi));
    }

    /** Whether {@code int(t)} or {@code t.item()} of {@code self} is an integer known only by its bound: one data-dependent element. */
    private static boolean bounded(TensorValue self, String name) {
        return self.known() && self.info().hasData() && self.info().dataDependent() && self.info().numel() == 1
                && self.info().dtype().isIntegral() && self.info().dtype() != DType.BOOL && (name.equals("Int") || name.equals("item"));
    }

    /**
     * The type {@code to} converts to: {@code to(self, dtype, ...)}, {@code to(self, device, dtype, ...)},
     * {@code to(self, other, ...)}, {@code type_as(self, other)}, or a {@code dtype=} keyword; empty for a device move.
     */
    private static Optional<DType> target(List<Object> args, Map<String, Object> keywords) {
        if (keywords.get("dtype") instanceof Long code) {
            return ScalarTypes.dtype(code);
        }
        Object first = args.size() > 1 ? args.get(1) : null;
        if (first instanceof TensorValue other) {
            return other.known() ? Optional.of(other.info().dtype()) : Optional.empty();
        }
        if (first instanceof Long code) {
            return ScalarTypes.dtype(code);
        }
        if ((first == null || first instanceof String) && args.size() > 2 && args.get(2) instanceof Long code) {
            return ScalarTypes.dtype(code);
        }
        return Optional.empty();
    }

    /** Whether the call names a type Tally cannot resolve (another tensor of unknown type, a code it lacks). */
    private static boolean convertsToUnknown(List<Object> args, Map<String, Object> keywords) {
        Object first = args.size() > 1 ? args.get(1) : null;
        return first instanceof TensorValue || first instanceof Long || keywords.get("dtype") instanceof Long
                || args.size() > 2 && args.get(2) instanceof Long;
    }
}
