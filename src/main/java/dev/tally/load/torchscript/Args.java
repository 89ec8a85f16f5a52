package dev.tally.load.torchscript;

import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one aten call, bound to the names of its schema ({@code aten::conv2d(Tensor input, Tensor weight,
 * Tensor? bias, int[] stride, ...)}), so keyword and positional calls read the same. Shared by the op families
 * {@link AtenOps} dispatches to.
 */
final class Args {
    /** A call whose arguments do not fit; the interpreter adds the file and line. */
    static class ArgumentError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ArgumentError(String message) {
            super(message, null, false, false);
        }
    }

    /** An argument that must be a known constant is not: the op is listed as unsupported instead. */
    static final class Unresolved extends ArgumentError {
        private static final long serialVersionUID = 1L;

        Unresolved(String message) {
            super(message);
        }
    }

    private final GraphBuilder graph;
    private final String op;
    private final Map<String, Object> values = new LinkedHashMap<>();

    Args(GraphBuilder graph, String op, List<Object> args, Map<String, Object> keywords, String... names) {
        this.graph = graph;
        this.op = op;
        if (args.size() > names.length) {
            throw new ArgumentError("'torch." + op + "' takes at most " + names.length + " arguments, but the code passes " + args.size());
        }
        for (int i = 0; i < args.size(); i++) {
            values.put(names[i], args.get(i));
        }
        for (Map.Entry<String, Object> keyword : keywords.entrySet()) {
            if (!Arrays.asList(names).contains(keyword.getKey())) {
                throw new ArgumentError("'torch." + op + "' has no argument '" + keyword.getKey() + "'");
            }
            values.put(keyword.getKey(), keyword.getValue());
        }
    }

    Object get(String name) {
        return values.get(name);
    }

    boolean has(String name) {
        return values.get(name) != null;
    }

    TensorValue tensor(String name) {
        Object value = values.get(name);
        if (value instanceof TensorValue tensor) {
            return tensor;
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
            return graph.scalar(value);
        }
        if (value instanceof Values.Bounded b) {
            // A number known by its bound held by a 0-d graph value: what is computed from it stays data-dependent.
            return b.tensor() != null ? b.tensor() : graph.scalar(b.bound());
        }
        if (value instanceof Values.Ranged r && r.tensor() != null) {
            // An int known by its range below and above 0: the graph value holding it carries those bounds.
            return r.tensor();
        }
        throw new ArgumentError("'torch." + op + "' needs a tensor for '" + name + "', but the code passes "
                + Interpreter.describe(value));
    }

    TensorValue optionalTensor(String name) {
        return values.get(name) == null ? null : tensor(name);
    }

    long integer(String name, long defaultValue) {
        Object value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (value instanceof Values.Bounded) {
            // A data-dependent size: its bound (AtenOps marks what the op makes data-dependent).
            return BoundedInts.high(value);
        }
        throw unresolved(name, value);
    }

    double real(String name, double defaultValue) {
        Object value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Values.Bounded) {
            return BoundedInts.high(value);
        }
        throw unresolved(name, value);
    }

    boolean flag(String name, boolean defaultValue) {
        Object value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        throw unresolved(name, value);
    }

    String string(String name, String defaultValue) {
        Object value = values.get(name);
        return value == null ? defaultValue : String.valueOf(value);
    }

    /** An int[] argument; a single int is repeated {@code rank} times, as PyTorch's expand_param_if_needed does. */
    List<Long> ints(String name, int rank, List<Long> defaultValue) {
        Object value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Values.Bounded) {
            value = BoundedInts.high(value);
        }
        if (value instanceof Long l) {
            List<Long> repeated = new ArrayList<>();
            for (int i = 0; i < rank; i++) {
                repeated.add(l);
            }
            return repeated;
        }
        List<Object> items = AtenOps.items(value);
        if (items == null) {
            throw unresolved(name, value);
        }
        List<Long> result = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Values.Bounded) {
                result.add(BoundedInts.high(item));
                continue;
            }
            if (!(item instanceof Long l)) {
                throw unresolved(name, value);
            }
            result.add(l);
        }
        if (result.size() == 1 && rank > 1) {
            return repeat(result.get(0), rank);
        }
        return result;
    }

    ArgumentError unresolved(String name, Object value) {
        return new Unresolved("'torch." + op + "' needs a known value for '" + name + "', but it is "
                + Interpreter.describe(value));
    }

    /** {@code value} {@code rank} times. */
    static List<Long> repeat(long value, int rank) {
        List<Long> result = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            result.add(value);
        }
        return result;
    }
}
