package dev.tally.load.torchscript;

import dev.tally.load.torchscript.Values.Bounded;
import dev.tally.load.torchscript.Values.Undecided;
import dev.tally.load.torchscript.Values.Unknown;
import java.util.List;

/**
 * Python int arithmetic and comparisons on {@link Bounded} sizes, each known only to lie in {@code [0, bound]}: a sum,
 * product, quotient by a positive constant, {@code min} or {@code max} of sizes is again a size with the bound computed
 * the same way; a comparison is decided when every value in the range gives the same answer, else it is
 * {@link Undecided} (with its value at the bounds). What would leave the range (a difference, a negative operand) is
 * {@link Unknown}: never a guess.
 */
final class BoundedInts {
    private BoundedInts() {
    }

    /** The result of {@code name(args)}, or {@link AtenOps#NOT_HANDLED} when no argument is a bounded size or undecided. */
    static Object call(String name, List<Object> args) {
        List<Object> operands = args;
        if ((name.equals("eq") || name.equals("ne")) && args.size() == 2 && AtenOps.items(args.get(0)) != null
                && AtenOps.items(args.get(1)) != null) {
            return compareLists(name, AtenOps.items(args.get(0)), AtenOps.items(args.get(1)));
        }
        if ((name.equals("min") || name.equals("max")) && args.size() == 1 && AtenOps.items(args.get(0)) != null) {
            operands = AtenOps.items(args.get(0));
        }
        if (operands.stream().anyMatch(a -> a instanceof Values.Ranged)) {
            return ranged(name, operands);
        }
        if (operands.stream().noneMatch(a -> isBounded(a) || a instanceof Undecided)) {
            return AtenOps.NOT_HANDLED;
        }
        switch (name) {
            case "__not__":
                return operands.get(0) instanceof Undecided u ? new Undecided(!u.atBound()) : AtenOps.NOT_HANDLED;
            case "__and__":
            case "__or__":
                return logic(name.equals("__and__"), operands);
            case "Bool":
                if (isBounded(operands.get(0))) {
                    return high(operands.get(0)) == 0 ? (Object) false : new Undecided(true);
                }
                return operands.get(0);
            case "Int":
                return isBounded(operands.get(0)) ? operands.get(0) : Unknown.VALUE;
            case "add":
            case "mul":
                return arithmetic(name, operands);
            case "floordiv":
                return operands.size() == 2 && isBounded(operands.get(0)) && operands.get(1) instanceof Long d && d > 0
                        ? new Bounded(high(operands.get(0)) / d) : Unknown.VALUE;
            case "min":
            case "max":
                return extreme(name.equals("min"), operands);
            case "eq":
            case "ne":
            case "lt":
            case "le":
            case "gt":
            case "ge":
                return operands.size() == 2 ? compare(name, operands.get(0), operands.get(1)) : Unknown.VALUE;
            case "sub":
            case "neg":
            case "div":
            case "remainder":
            case "pow":
            case "Float":
            case "abs":
            case "floor":
            case "ceil":
            case "sqrt":
                // A difference can leave [0, bound]; a float of a size is not a size.
                return Unknown.VALUE;
            default:
                // List and dict builtins (append, _set_item, ...) hold a bounded int as any other item.
                return AtenOps.NOT_HANDLED;
        }
    }

    /** List builtins that hold an int as an item, whatever it is. */
    private static final java.util.Set<String> HOLDS = java.util.Set.of("append", "insert", "extend", "_set_item", "list", "copy");

    /**
     * Interval arithmetic with an int known by its range ({@link Values.Ranged}): each operand is an interval (an int
     * [c, c], a bounded size [0, bound]); the result is a {@link Bounded} size when its low end is 0 or more, an int when
     * both ends meet. Comparisons and every other builtin give {@link Unknown}; a list builtin holds it as an item.
     */
    private static Object ranged(String name, List<Object> operands) {
        if (HOLDS.contains(name)) {
            return AtenOps.NOT_HANDLED;
        }
        List<long[]> intervals = new java.util.ArrayList<>();
        for (Object operand : operands) {
            if (operand instanceof Values.Ranged r) {
                intervals.add(new long[] {r.low(), r.high()});
            } else if (operand instanceof Bounded b) {
                intervals.add(new long[] {0, b.bound()});
            } else if (operand instanceof Long l) {
                intervals.add(new long[] {l, l});
            } else {
                return Unknown.VALUE;
            }
        }
        try {
            long[] result = switch (name) {
                case "Int" -> intervals.size() == 1 ? intervals.get(0) : null;
                case "neg" -> intervals.size() == 1 ? new long[] {Math.negateExact(intervals.get(0)[1]), Math.negateExact(intervals.get(0)[0])} : null;
                case "add" -> intervals.size() == 2 ? new long[] {Math.addExact(intervals.get(0)[0], intervals.get(1)[0]),
                        Math.addExact(intervals.get(0)[1], intervals.get(1)[1])} : null;
                case "sub" -> intervals.size() == 2 ? new long[] {Math.subtractExact(intervals.get(0)[0], intervals.get(1)[1]),
                        Math.subtractExact(intervals.get(0)[1], intervals.get(1)[0])} : null;
                case "mul" -> intervals.size() == 2 ? product(intervals.get(0), intervals.get(1)) : null;
                case "min", "max" -> extremes(name.equals("min"), intervals);
                default -> null;
            };
            if (result == null) {
                return Unknown.VALUE;
            }
            if (result[0] == result[1]) {
                return result[0];
            }
            return result[0] >= 0 ? new Bounded(result[1]) : new Values.Ranged(result[0], result[1]);
        } catch (ArithmeticException e) {
            // An end past 64 bits bounds nothing a model can hold.
            return Unknown.VALUE;
        }
    }

    private static long[] product(long[] a, long[] b) {
        long[] corners = {Math.multiplyExact(a[0], b[0]), Math.multiplyExact(a[0], b[1]), Math.multiplyExact(a[1], b[0]),
                Math.multiplyExact(a[1], b[1])};
        return new long[] {java.util.Arrays.stream(corners).min().orElseThrow(), java.util.Arrays.stream(corners).max().orElseThrow()};
    }

    /** min (max) of intervals: between the least (greatest) of the low ends and of the high ends. */
    private static long[] extremes(boolean min, List<long[]> intervals) {
        if (intervals.isEmpty()) {
            return null;
        }
        long low = intervals.get(0)[0];
        long high = intervals.get(0)[1];
        for (long[] interval : intervals) {
            low = min ? Math.min(low, interval[0]) : Math.max(low, interval[0]);
            high = min ? Math.min(high, interval[1]) : Math.max(high, interval[1]);
        }
        return new long[] {low, high};
    }

    /**
     * {@code x.size() == [b, n]} with bounded sizes in it (MultiheadAttention's key_padding_mask check): decided item by
     * item; false when one item is, true when all are, else undecided; {@link AtenOps#NOT_HANDLED} without a bounded item.
     */
    private static Object compareLists(String name, List<Object> left, List<Object> right) {
        if (left.stream().noneMatch(BoundedInts::isBounded) && right.stream().noneMatch(BoundedInts::isBounded)) {
            return AtenOps.NOT_HANDLED;
        }
        if (left.size() != right.size()) {
            return name.equals("ne");
        }
        boolean undecided = false;
        boolean atBound = true;
        for (int i = 0; i < left.size(); i++) {
            Object item = isBounded(left.get(i)) || isBounded(right.get(i)) ? compare("eq", left.get(i), right.get(i))
                    : (Object) java.util.Objects.equals(left.get(i), right.get(i));
            if (Boolean.FALSE.equals(item)) {
                return name.equals("ne");
            }
            if (item instanceof Undecided u) {
                undecided = true;
                atBound &= u.atBound();
            } else if (!Boolean.TRUE.equals(item)) {
                return Unknown.VALUE;
            }
        }
        boolean equal = name.equals("eq");
        return undecided ? new Undecided(atBound == equal) : (Object) equal;
    }

    /** The bound of a size operand: a bounded size's bound, a non-negative int itself; -1 for anything else. */
    static long high(Object value) {
        if (value instanceof Bounded b) {
            return b.bound();
        }
        return value instanceof Long l && l >= 0 ? l : -1;
    }

    private static Object arithmetic(String name, List<Object> operands) {
        if (operands.size() != 2 || high(operands.get(0)) < 0 || high(operands.get(1)) < 0) {
            return Unknown.VALUE;
        }
        long a = high(operands.get(0));
        long b = high(operands.get(1));
        try {
            return new Bounded(name.equals("add") ? Math.addExact(a, b) : Math.multiplyExact(a, b));
        } catch (ArithmeticException e) {
            // A bound past 64 bits bounds nothing a model can hold.
            return Unknown.VALUE;
        }
    }

    /** {@code min} of sizes is at most the smallest bound; {@code max} at most the largest. */
    private static Object extreme(boolean min, List<Object> operands) {
        long bound = min ? Long.MAX_VALUE : 0;
        for (Object operand : operands) {
            long high = high(operand);
            if (high < 0) {
                return Unknown.VALUE;
            }
            bound = min ? Math.min(bound, high) : Math.max(bound, high);
        }
        return operands.isEmpty() ? Unknown.VALUE : new Bounded(bound);
    }

    /**
     * Whether a value is an int known by its bound ({@link Bounded}, with or without the graph value holding it).
     */
    static boolean isBounded(Object value) {
        return value instanceof Bounded;
    }

    /** A comparison of sizes, decided when the whole range of the bounded ones agrees. */
    private static Object compare(String name, Object left, Object right) {
        long l = high(left);
        long r = high(right);
        if (l < 0 && !(left instanceof Long) || r < 0 && !(right instanceof Long)) {
            return Unknown.VALUE;
        }
        long a = left instanceof Long x ? x : l;
        long b = right instanceof Long y ? y : r;
        boolean atBound = test(name, a, b);
        if (isBounded(left) && l == 0 && right instanceof Long || isBounded(right) && r == 0 && left instanceof Long) {
            // A size bounded by 0 is 0.
            return test(name, isBounded(left) ? 0 : a, isBounded(right) ? 0 : b);
        }
        if (isBounded(left) && isBounded(right)) {
            return new Undecided(atBound);
        }
        // One side is a known int c, the other a size x in [0, bound]: the answer at both ends of the range.
        boolean atZero = isBounded(left) ? test(name, 0, b) : test(name, a, 0);
        if (atZero == atBound && !name.equals("eq") && !name.equals("ne")) {
            // <, <=, >, >= are monotone in x: equal answers at both ends hold for the whole range.
            return atBound;
        }
        if (name.equals("eq") || name.equals("ne")) {
            long c = isBounded(left) ? b : a;
            long bound = isBounded(left) ? l : r;
            if (c < 0 || c > bound) {
                return name.equals("ne");
            }
        }
        return new Undecided(atBound);
    }

    private static boolean test(String name, long a, long b) {
        return switch (name) {
            case "eq" -> a == b;
            case "ne" -> a != b;
            case "lt" -> a < b;
            case "le" -> a <= b;
            case "gt" -> a > b;
            default -> a >= b;
        };
    }

    /** {@code and} and {@code or} with an undecided side: decided only when the other side decides alone. */
    private static Object logic(boolean and, List<Object> operands) {
        boolean atBound = and;
        for (Object operand : operands) {
            if (operand instanceof Boolean b && b != and) {
                return b;
            }
            boolean value = operand instanceof Undecided u ? u.atBound() : operand instanceof Boolean b && b;
            atBound = and ? atBound && value : atBound || value;
        }
        return new Undecided(atBound);
    }
}
