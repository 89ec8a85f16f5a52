package dev.tally.load.torchscript;

import dev.tally.load.torchscript.Values.Unknown;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's scalar and list builtins as TorchScript spells them ({@code torch.add(i, 2)}, {@code torch.len(xs)}). */
final class PythonBuiltins {
    private PythonBuiltins() {
    }

    static Object call(String name, List<Object> args, Map<String, Object> keywords) {
        if (name.equals("append") && args.size() == 2 && args.get(0) instanceof List<?>) {
            // An item not known statically is still an item: the list's length stays right.
            @SuppressWarnings("unchecked")
            List<Object> target = (List<Object>) args.get(0);
            target.add(args.get(1));
            return target;
        }
        if (name.equals("insert") && args.size() == 3 && args.get(0) instanceof List<?> && args.get(1) instanceof Long) {
            // list.insert(i, x), as torchvision's FeaturePyramidNetwork puts each finer level in front: Python clamps i
            // to the list, and an item not known statically still takes its place.
            @SuppressWarnings("unchecked")
            List<Object> target = (List<Object>) args.get(0);
            target.add((int) clampIndex(args.get(1), 0, target.size()), args.get(2));
            return null;
        }
        if (name.equals("extend") && args.size() == 2 && args.get(0) instanceof List<?> && AtenOps.items(args.get(1)) != null) {
            @SuppressWarnings("unchecked")
            List<Object> target = (List<Object>) args.get(0);
            target.addAll(AtenOps.items(args.get(1)));
            return null;
        }
        for (Object arg : args) {
            if (arg == Unknown.VALUE) {
                return name.equals("warn") ? null : Unknown.VALUE;
            }
        }
        if (args.stream().anyMatch(Values::isHeld)) {
            return bounded(name, args);
        }
        if (name.equals("mul") && args.size() == 2 && AtenOps.items(args.get(0)) != null && args.get(1) instanceof Long n
                && n >= 0 && n * AtenOps.items(args.get(0)).size() <= 1_000_000) {
            // [a, b] * n: the list repeated, as SSD's anchor generator writes [shift_x, shift_y] * len(wh_pairs).
            List<Object> repeated = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                repeated.addAll(AtenOps.items(args.get(0)));
            }
            return repeated;
        }
        switch (name) {
            case "__range_length":
                // The trip count of range(lo, hi, step), as TorchScript prints a loop over it.
                if (args.size() == 3 && args.get(0) instanceof Long lo && args.get(1) instanceof Long hi && args.get(2) instanceof Long step
                        && step != 0) {
                    long span = step > 0 ? hi - lo : lo - hi;
                    long by = Math.abs(step);
                    return span <= 0 ? 0L : (span + by - 1) / by;
                }
                return AtenOps.NOT_HANDLED;
            case "__derive_index":
                // The i-th value of range(start, ..., step).
                if (args.size() == 3 && args.get(0) instanceof Long i && args.get(1) instanceof Long start && args.get(2) instanceof Long step) {
                    return start + i * step;
                }
                return AtenOps.NOT_HANDLED;
            case "add":
                if (args.size() == 2 && AtenOps.items(args.get(0)) != null && AtenOps.items(args.get(1)) != null) {
                    List<Object> joined = new ArrayList<>(AtenOps.items(args.get(0)));
                    joined.addAll(AtenOps.items(args.get(1)));
                    return joined;
                }
                if (args.size() == 2 && args.get(0) instanceof String a && args.get(1) instanceof String b) {
                    return a + b;
                }
                return arithmetic(name, args);
            case "floor_divide":
                return arithmetic("floordiv", args);
            case "rsub":
                return args.size() == 2 ? arithmetic("sub", List.of(args.get(1), args.get(0))) : AtenOps.NOT_HANDLED;
            case "sub":
            case "mul":
            case "div":
            case "floordiv":
            case "remainder":
            case "pow":
            case "min":
            case "max":
                if (args.size() == 1 && AtenOps.items(args.get(0)) != null) {
                    return reduce(name, AtenOps.items(args.get(0)));
                }
                return arithmetic(name, args);
            case "neg":
                return args.get(0) instanceof Long l ? (Object) (-l) : args.get(0) instanceof Double d ? (Object) (-d) : AtenOps.NOT_HANDLED;
            case "pos":
                return args.get(0);
            case "abs":
                return args.get(0) instanceof Long l ? (Object) Math.abs(l) : args.get(0) instanceof Double d ? (Object) Math.abs(d) : AtenOps.NOT_HANDLED;
            case "eq":
            case "ne":
            case "lt":
            case "le":
            case "gt":
            case "ge":
                return compare(name, args.get(0), args.get(1));
            case "__not__":
                return args.get(0) instanceof Boolean b ? (Object) !b : AtenOps.NOT_HANDLED;
            case "__and__":
            case "__or__":
                if (args.get(0) instanceof Boolean a && args.get(1) instanceof Boolean b) {
                    return name.equals("__and__") ? a && b : a || b;
                }
                return AtenOps.NOT_HANDLED;
            case "__contains__":
                return contains(args.get(0), args.get(1));
            case "__contains__reversed":
                return contains(args.get(1), args.get(0));
            case "__notcontains__reversed": {
                Object inside = contains(args.get(1), args.get(0));
                return inside instanceof Boolean b ? (Object) !b : inside;
            }
            case "len":
                if (args.get(0) instanceof String s) {
                    return (long) s.length();
                }
                if (args.get(0) instanceof Map<?, ?> m) {
                    return (long) m.size();
                }
                return AtenOps.items(args.get(0)) == null ? AtenOps.NOT_HANDLED : (Object) (long) AtenOps.items(args.get(0)).size();
            case "Int":
                return args.get(0) instanceof Number n ? (Object) n.longValue()
                        : args.get(0) instanceof Boolean b ? (Object) (b ? 1L : 0L) : AtenOps.NOT_HANDLED;
            case "Float":
                return args.get(0) instanceof Number n ? (Object) n.doubleValue() : AtenOps.NOT_HANDLED;
            case "Bool":
                return args.get(0) instanceof Boolean ? args.get(0)
                        : args.get(0) instanceof Number n ? (Object) (n.doubleValue() != 0) : AtenOps.NOT_HANDLED;
            case "floor":
                return args.get(0) instanceof Number n ? (Object) (long) Math.floor(n.doubleValue()) : AtenOps.NOT_HANDLED;
            case "ceil":
                return args.get(0) instanceof Number n ? (Object) (long) Math.ceil(n.doubleValue()) : AtenOps.NOT_HANDLED;
            case "sqrt":
                return args.get(0) instanceof Number n ? (Object) Math.sqrt(n.doubleValue()) : AtenOps.NOT_HANDLED;
            case "list":
            case "copy":
                return AtenOps.items(args.get(0)) == null ? AtenOps.NOT_HANDLED : new ArrayList<>(AtenOps.items(args.get(0)));
            case "dict": {
                // torchvision's IntermediateLayerGetter fills torch.dict() with _set_item, keyed by layer name;
                // SSD's feature extractor makes its dict of (name, tensor) pairs.
                Map<Object, Object> dict = new java.util.LinkedHashMap<>();
                List<Object> pairs = args.isEmpty() ? List.of() : AtenOps.items(args.get(0));
                if (pairs == null) {
                    return AtenOps.NOT_HANDLED;
                }
                for (Object pair : pairs) {
                    List<Object> kv = AtenOps.items(pair);
                    if (kv == null || kv.size() != 2) {
                        return AtenOps.NOT_HANDLED;
                    }
                    dict.put(kv.get(0), kv.get(1));
                }
                return dict;
            }
            case "values":
            case "keys":
            case "items": {
                if (!(args.get(0) instanceof Map<?, ?> map)) {
                    return AtenOps.NOT_HANDLED;
                }
                List<Object> result = new ArrayList<>();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    result.add(name.equals("values") ? entry.getValue() : name.equals("keys") ? entry.getKey()
                            : new Values.TupleValue(java.util.Arrays.asList(entry.getKey(), entry.getValue())));
                }
                return result;
            }
            case "_set_item":
                if (args.get(0) instanceof Map<?, ?> map && args.size() == 3) {
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> target = (Map<Object, Object>) map;
                    target.put(args.get(1), args.get(2));
                    return null;
                }
                if (args.get(0) instanceof List<?> list && args.get(1) instanceof Long i && args.size() == 3) {
                    @SuppressWarnings("unchecked")
                    List<Object> target = (List<Object>) list;
                    long at = i < 0 ? i + target.size() : i;
                    if (at < 0 || at >= target.size()) {
                        // Python's IndexError: not a value Tally can make up.
                        return AtenOps.NOT_HANDLED;
                    }
                    target.set((int) at, args.get(2));
                    return target;
                }
                return AtenOps.NOT_HANDLED;
            case "slice": {
                // list[start:end:step], which TorchScript prints as torch.slice(list, start, end, step).
                List<Object> items = AtenOps.items(args.get(0));
                if (items == null) {
                    return AtenOps.NOT_HANDLED;
                }
                int n = items.size();
                long step = args.size() > 3 && args.get(3) instanceof Long l ? l : 1;
                if (step == 0 || args.size() > 3 && args.get(3) != null && !(args.get(3) instanceof Long)) {
                    return AtenOps.NOT_HANDLED;
                }
                List<Object> result = new ArrayList<>();
                if (step < 0) {
                    // list[::-1] (RAFT's coordinate grid puts x before y): Python's bounds for a negative step run from
                    // n - 1 down to -1, exclusive.
                    long start = clampDown(args.size() > 1 ? args.get(1) : null, n - 1, n);
                    long end = clampDown(args.size() > 2 ? args.get(2) : null, -1, n);
                    for (long i = start; i > end; i += step) {
                        result.add(items.get((int) i));
                    }
                    return result;
                }
                long start = clampIndex(args.size() > 1 ? args.get(1) : null, 0, n);
                long end = clampIndex(args.size() > 2 ? args.get(2) : null, n, n);
                for (long i = start; i < end; i += step) {
                    result.add(items.get((int) i));
                }
                return result;
            }
            case "sum":
                return args.size() == 1 && AtenOps.items(args.get(0)) != null ? reduce("add", AtenOps.items(args.get(0))) : AtenOps.NOT_HANDLED;
            case "append":
                if (args.get(0) instanceof List<?> list) {
                    @SuppressWarnings("unchecked")
                    List<Object> target = (List<Object>) list;
                    target.add(args.get(1));
                    return target;
                }
                return AtenOps.NOT_HANDLED;
            case "__getitem__":
                if (AtenOps.items(args.get(0)) != null && args.get(1) instanceof Long i) {
                    List<Object> items = AtenOps.items(args.get(0));
                    long at = i < 0 ? i + items.size() : i;
                    return at >= 0 && at < items.size() ? items.get((int) at) : AtenOps.NOT_HANDLED;
                }
                return args.get(0) instanceof Map<?, ?> m ? m.get(args.get(1)) : AtenOps.NOT_HANDLED;
            case "format":
                return format(args);
            case "str":
                return String.valueOf(args.get(0));
            case "warn":
                return null;
            case "find":
                return args.get(0) instanceof String text && args.get(1) instanceof String part ? (Object) (long) text.indexOf(part) : AtenOps.NOT_HANDLED;
            case "all":
            case "any": {
                List<Object> items = AtenOps.items(args.get(0));
                if (items == null || !items.stream().allMatch(i -> i instanceof Boolean)) {
                    return AtenOps.NOT_HANDLED;
                }
                return name.equals("all") ? items.stream().allMatch(Boolean.TRUE::equals) : items.stream().anyMatch(Boolean.TRUE::equals);
            }
            case "is_autocast_enabled":
            case "is_autocast_cpu_enabled":
            case "is_scripting":
                return name.equals("is_scripting");
            case "is_grad_enabled":
                // Tally counts inference, as under torch.no_grad().
                return Boolean.FALSE;
            case "device":
                // torch.device("cpu"): kept as its name, as ops.prim.device gives it.
                return args.size() == 1 && args.get(0) instanceof String ? args.get(0) : AtenOps.NOT_HANDLED;
            case "detach":
            case "clone":
            case "contiguous":
                // Traced code holds a size as a 0-d tensor (ops.prim.NumToTensor), which Tally keeps as the number.
                return args.size() == 1 && args.get(0) instanceof Number ? args.get(0) : AtenOps.NOT_HANDLED;
            case "to":
                return args.get(0) instanceof Number n ? converted(n, args, keywords) : AtenOps.NOT_HANDLED;
            case "isfinite":
                return args.get(0) instanceof Double d ? (Object) Double.isFinite(d) : AtenOps.NOT_HANDLED;
            default:
                return AtenOps.NOT_HANDLED;
        }
    }

    /** Python's names that compute a number (or a truth) from numbers, which a bounded int leaves unknown. */
    private static final java.util.Set<String> NUMERIC = java.util.Set.of("add", "sub", "rsub", "mul", "div", "floordiv",
            "floor_divide", "remainder", "pow", "min", "max", "neg", "abs", "eq", "ne", "lt", "le", "gt", "ge", "Float", "Bool",
            "floor", "ceil", "sqrt", "format", "str", "__not__", "__and__", "__or__");

    /**
     * A builtin given a bounded int a graph value holds ({@link Values#isHeld}; {@link BoundedInts} took the arithmetic
     * and comparisons first): {@code int(n)} and a number kept as a 0-d tensor ({@code detach},
     * {@code clone}) are the same bounded int; arithmetic and comparisons on it are not known statically (its value is
     * data); anything else is left to the tensor ops ({@code arange(n)}, {@code zeros([2, n])}).
     */
    private static Object bounded(String name, List<Object> args) {
        if (args.size() == 1 && List.of("Int", "detach", "clone", "contiguous").contains(name)) {
            return args.get(0);
        }
        return NUMERIC.contains(name) ? Unknown.VALUE : AtenOps.NOT_HANDLED;
    }

    private static long clampIndex(Object index, long defaultValue, int size) {
        if (!(index instanceof Long i)) {
            return defaultValue;
        }
        long at = i < 0 ? i + size : i;
        return Math.max(0, Math.min(size, at));
    }

    /**
     * {@code to(n, dtype)} or {@code to(n, device, dtype, ...)} of a number traced code holds as a 0-d tensor (RAFT's
     * channel count converted before its square root): the number in that type; a device move keeps it.
     */
    private static Object converted(Number n, List<Object> args, Map<String, Object> keywords) {
        Object code = keywords.containsKey("dtype") ? keywords.get("dtype")
                : args.size() > 1 && args.get(1) instanceof Long ? args.get(1)
                : args.size() > 2 && (args.get(1) == null || args.get(1) instanceof String) ? args.get(2) : null;
        if (code == null) {
            return args.size() > 1 && args.get(1) instanceof String ? n : AtenOps.NOT_HANDLED;
        }
        java.util.Optional<dev.tally.ir.DType> dtype = code instanceof Long c ? ScalarTypes.dtype(c) : java.util.Optional.empty();
        if (dtype.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        if (dtype.get() == dev.tally.ir.DType.BOOL) {
            return n.doubleValue() != 0;
        }
        if (dtype.get().isFloatingPoint()) {
            return n.doubleValue();
        }
        return dtype.get().isIntegral() ? (Object) n.longValue() : AtenOps.NOT_HANDLED;
    }

    /** A slice bound for a negative step: negative counts from the end, then clamped to [-1, size - 1]. */
    private static long clampDown(Object index, long defaultValue, int size) {
        if (!(index instanceof Long i)) {
            return defaultValue;
        }
        long at = i < 0 ? i + size : i;
        return Math.max(-1, Math.min(size - 1, at));
    }

    private static Object reduce(String name, List<Object> items) {
        if (items.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        Object result = items.get(0);
        for (int i = 1; i < items.size(); i++) {
            result = arithmetic(name, List.of(result, items.get(i)));
            if (result == AtenOps.NOT_HANDLED) {
                return result;
            }
        }
        return result;
    }

    private static Object arithmetic(String name, List<Object> args) {
        if (args.size() != 2 || !(args.get(0) instanceof Number || args.get(0) instanceof Boolean)
                || !(args.get(1) instanceof Number || args.get(1) instanceof Boolean)) {
            return AtenOps.NOT_HANDLED;
        }
        Object x = args.get(0) instanceof Boolean b ? (Object) (b ? 1L : 0L) : args.get(0);
        Object y = args.get(1) instanceof Boolean b ? (Object) (b ? 1L : 0L) : args.get(1);
        if (x instanceof Long a && y instanceof Long b && !name.equals("div")) {
            switch (name) {
                case "add":
                    return Math.addExact(a, b);
                case "sub":
                    return Math.subtractExact(a, b);
                case "mul":
                    return Math.multiplyExact(a, b);
                case "floordiv":
                    return b == 0 ? AtenOps.NOT_HANDLED : (Object) Math.floorDiv(a, b);
                case "remainder":
                    return b == 0 ? AtenOps.NOT_HANDLED : (Object) Math.floorMod(a, b);
                case "pow":
                    return b < 0 ? (Object) Math.pow(a, b) : (Object) (long) Math.pow(a, b);
                case "min":
                    return Math.min(a, b);
                case "max":
                    return Math.max(a, b);
                default:
                    return AtenOps.NOT_HANDLED;
            }
        }
        double a = ((Number) x).doubleValue();
        double b = ((Number) y).doubleValue();
        switch (name) {
            case "add":
                return a + b;
            case "sub":
                return a - b;
            case "mul":
                return a * b;
            case "div":
                return a / b;
            case "floordiv":
                return Math.floor(a / b);
            case "remainder":
                return a - Math.floor(a / b) * b;
            case "pow":
                return Math.pow(a, b);
            case "min":
                return Math.min(a, b);
            case "max":
                return Math.max(a, b);
            default:
                return AtenOps.NOT_HANDLED;
        }
    }

    private static Object compare(String name, Object x, Object y) {
        int order;
        if ((x instanceof Number || x instanceof Boolean) && (y instanceof Number || y instanceof Boolean)) {
            double a = x instanceof Boolean b ? (b ? 1 : 0) : ((Number) x).doubleValue();
            double b = y instanceof Boolean c ? (c ? 1 : 0) : ((Number) y).doubleValue();
            order = Double.compare(a, b);
        } else if (x instanceof String a && y instanceof String b) {
            order = a.compareTo(b);
        } else if ((name.equals("eq") || name.equals("ne")) && (unknownItems(x) || unknownItems(y))) {
            // [bsz, n] == [1, 100] with n known only by its bound, or a size no rule resolved: not known statically.
            return Unknown.VALUE;
        } else if (name.equals("eq") || name.equals("ne")) {
            boolean equal = java.util.Objects.equals(normalize(x), normalize(y));
            return name.equals("eq") == equal;
        } else {
            return AtenOps.NOT_HANDLED;
        }
        switch (name) {
            case "eq":
                return order == 0;
            case "ne":
                return order != 0;
            case "lt":
                return order < 0;
            case "le":
                return order <= 0;
            case "gt":
                return order > 0;
            default:
                return order >= 0;
        }
    }

    private static boolean unknownItems(Object value) {
        List<Object> items = AtenOps.items(value);
        return items != null && items.stream().anyMatch(i -> i == Unknown.VALUE || Values.isHeld(i));
    }

    private static Object normalize(Object value) {
        List<Object> items = AtenOps.items(value);
        return items == null ? value : items;
    }

    private static Object contains(Object container, Object item) {
        if (container instanceof Map<?, ?> map) {
            return map.containsKey(item);
        }
        if (container instanceof String s && item instanceof String t) {
            return s.contains(t);
        }
        List<Object> items = AtenOps.items(container);
        return items == null ? AtenOps.NOT_HANDLED : (Object) items.contains(item);
    }

    private static Object format(List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof String template)) {
            return AtenOps.NOT_HANDLED;
        }
        StringBuilder text = new StringBuilder();
        int next = 1;
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith("{}", i) && next < args.size()) {
                text.append(String.valueOf(args.get(next++)).toLowerCase(Locale.ROOT).equals("null") ? "None" : String.valueOf(args.get(next - 1)));
                i += 2;
            } else {
                text.append(template.charAt(i++));
            }
        }
        return text.toString();
    }
}
