package dev.tally.analysis;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;

/**
 * Carries bounds on values the shape pass does not know (docs/conventions.md, "Value bounds"), so that a size computed
 * from data values gets an upper bound: torchvision clips its boxes to the image ({@code Max} with 0, {@code Min} with
 * the image size), and the mask each box is pasted at is resized to the box's extent. One table says which ops carry
 * bounds and how; an op not in it gives none (its values are unbounded), which is always safe. The families:
 * data movement keeps its input's bounds (per element where the elements keep their order), Concat joins them,
 * ReduceMax/ReduceMin, Clip, Max, Min and arithmetic compute them by interval arithmetic, rounded as the output type rounds.
 */
final class ValueRanges {
    /** How one op's output bounds follow from its inputs' (null where an input has none). */
    @FunctionalInterface
    private interface Rule {
        ValueRange apply(Node node, List<ValueRange> inputs, List<TensorInfo> inputInfos, TensorInfo output, int index);
    }

    private static final double INF = Double.POSITIVE_INFINITY;

    /**
     * Ops that can make bounds from values the pass knows (a clamp's constant limit, the zeros a WrittenView was
     * written over) even when no input has any.
     */
    private static final Set<String> CLAMPS = Set.of("Max", "Min", "Clip", "WrittenView");

    private static final Map<String, Rule> TABLE = Map.ofEntries(
            // Data movement: the same elements in the same order.
            Map.entry("Identity", ValueRanges::same),
            Map.entry("Reshape", ValueRanges::same),
            Map.entry("Unsqueeze", ValueRanges::same),
            Map.entry("Squeeze", ValueRanges::same),
            Map.entry("Flatten", ValueRanges::same),
            // Data movement that picks or repeats elements: within the input's bounds.
            Map.entry("Gather", ValueRanges::within),
            Map.entry("GatherND", ValueRanges::within),
            Map.entry("GatherElements", ValueRanges::within),
            Map.entry("Slice", ValueRanges::within),
            Map.entry("Split", ValueRanges::within),
            Map.entry("Transpose", ValueRanges::within),
            Map.entry("Expand", ValueRanges::within),
            Map.entry("Tile", ValueRanges::within),
            Map.entry("TopK", (node, in, infos, out, index) -> index == 0 ? within(node, in, infos, out, 0) : null),
            Map.entry("Concat", ValueRanges::concat),
            Map.entry("WrittenView", ValueRanges::hull),
            Map.entry("Cast", ValueRanges::cast),
            // Reductions that keep one of the values.
            Map.entry("ReduceMax", (node, in, infos, out, index) -> reduce(in, out, true)),
            Map.entry("ReduceMin", (node, in, infos, out, index) -> reduce(in, out, false)),
            // Interval arithmetic.
            Map.entry("Add", (node, in, infos, out, index) -> binary(in, infos, out, ValueRanges::add)),
            Map.entry("Sub", (node, in, infos, out, index) -> binary(in, infos, out, ValueRanges::sub)),
            Map.entry("Mul", (node, in, infos, out, index) -> binary(in, infos, out, ValueRanges::mul)),
            Map.entry("Div", (node, in, infos, out, index) -> binary(in, infos, out, ValueRanges::div)),
            Map.entry("Max", (node, in, infos, out, index) -> clamps(in, infos, out, true)),
            Map.entry("Min", (node, in, infos, out, index) -> clamps(in, infos, out, false)),
            Map.entry("Clip", ValueRanges::clip),
            Map.entry("Relu", (node, in, infos, out, index) -> unary(in, out, 0, INF)),
            Map.entry("Neg", (node, in, infos, out, index) -> map(in.get(0), out, v -> -v, true)),
            Map.entry("Ceil", (node, in, infos, out, index) -> map(in.get(0), out, Math::ceil, false)),
            Map.entry("Floor", (node, in, infos, out, index) -> map(in.get(0), out, Math::floor, false)));

    private ValueRanges() {
    }

    /** Whether {@code node} may give bounds, given whether any of its inputs has bounds of its own. */
    static boolean applies(Node node, boolean inputHasRange) {
        return TABLE.containsKey(node.opType()) && (inputHasRange || CLAMPS.contains(node.opType()));
    }

    /** The bounds of output {@code index} of {@code node}, or null when it has none. */
    static ValueRange of(Node node, List<TensorInfo> inputs, TensorInfo output, int index) {
        Rule rule = TABLE.get(node.opType());
        if (rule == null || output == null || output.isSequence() || output.dtype() == DType.BOOL) {
            return null;
        }
        List<ValueRange> ranges = new java.util.ArrayList<>();
        for (TensorInfo input : inputs) {
            ranges.add(input == null ? null : input.valueRange().orElse(null));
        }
        ValueRange range = rule.apply(node, ranges, inputs, output, index);
        if (range == null) {
            return null;
        }
        for (int i = 0; i < range.size(); i++) {
            if (Double.isNaN(range.low(i)) || Double.isNaN(range.high(i))) {
                return null;
            }
        }
        if (range.size() != 1 && range.size() != output.numel()) {
            range = range.union();
        }
        // Bounds that say nothing are not kept.
        return range.size() == 1 && range.low(0) == -INF && range.high(0) == INF ? null : range;
    }

    private static ValueRange same(Node node, List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, int index) {
        ValueRange range = in.isEmpty() ? null : in.get(0);
        return range == null || range.size() == 1 || range.size() == out.numel() ? range : range.union();
    }

    private static ValueRange within(Node node, List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, int index) {
        return in.isEmpty() || in.get(0) == null ? null : in.get(0).union();
    }

    /**
     * A tensor after an in-place write into a view of it: each element is the old one or one the write made, so within
     * the hull of both inputs' bounds; nothing when the write is not known (one input) or either has no bounds.
     */
    private static ValueRange hull(Node node, List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, int index) {
        if (in.size() != 2 || in.get(0) == null || in.get(1) == null) {
            return null;
        }
        ValueRange old = in.get(0).union();
        ValueRange written = in.get(1).union();
        return ValueRange.of(Math.min(old.low(0), written.low(0)), Math.max(old.high(0), written.high(0)));
    }

    /** 1-D pieces joined element by element; otherwise every input's bounds in one pair. */
    private static ValueRange concat(Node node, List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, int index) {
        boolean flat = out.rank() <= 1 && out.numel() <= ValueRange.PER_ELEMENT;
        List<Double> low = new java.util.ArrayList<>();
        List<Double> high = new java.util.ArrayList<>();
        ValueRange all = null;
        for (int i = 0; i < in.size(); i++) {
            TensorInfo info = infos.get(i);
            if (info == null) {
                continue;
            }
            ValueRange range = in.get(i);
            if (range == null) {
                return null;
            }
            all = all == null ? range.union() : ValueRange.of(Math.min(all.low(0), range.union().low(0)),
                    Math.max(all.high(0), range.union().high(0)));
            for (long e = 0; flat && e < info.numel(); e++) {
                low.add(range.low((int) e));
                high.add(range.high((int) e));
            }
        }
        if (all == null) {
            return null;
        }
        if (!flat || low.size() != out.numel() || low.isEmpty()) {
            return all;
        }
        return new ValueRange(low.stream().mapToDouble(Double::doubleValue).toArray(),
                high.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Integer casts truncate toward zero (monotone); float casts round as the type does; casts to bool give nothing. */
    private static ValueRange cast(Node node, List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, int index) {
        ValueRange range = same(node, in, infos, out, index);
        if (range == null) {
            return null;
        }
        if (out.dtype().isIntegral()) {
            return map(range, out, v -> Double.isInfinite(v) ? v : v < 0 ? Math.ceil(v) : Math.floor(v), false);
        }
        return out.dtype().isFloatingPoint() ? rounded(range, out.dtype()) : null;
    }

    /** Max (or Min) over the reduced elements: within the bounds of the elements; all of a 1-D input element-wise. */
    private static ValueRange reduce(List<ValueRange> in, TensorInfo out, boolean max) {
        ValueRange range = in.isEmpty() ? null : in.get(0);
        if (range == null) {
            return null;
        }
        if (range.size() == 1 || out.numel() != 1) {
            return range.union();
        }
        double low = max ? -INF : INF;
        double high = max ? -INF : INF;
        for (int i = 0; i < range.size(); i++) {
            low = max ? Math.max(low, range.low(i)) : Math.min(low, range.low(i));
            high = max ? Math.max(high, range.high(i)) : Math.min(high, range.high(i));
        }
        return ValueRange.of(low, high);
    }

    /** The bounds of an elementwise op of two inputs, element by element where they line up, from one endpoint op. */
    private interface Interval {
        double[] apply(double aLow, double aHigh, double bLow, double bHigh);
    }

    private static ValueRange binary(List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, Interval op) {
        if (in.size() < 2 || in.get(0) == null || in.get(1) == null) {
            return null;
        }
        ValueRange a = aligned(in.get(0), infos.get(0), out);
        ValueRange b = aligned(in.get(1), infos.get(1), out);
        int n = Math.max(a.size(), b.size());
        double[] low = new double[n];
        double[] high = new double[n];
        for (int i = 0; i < n; i++) {
            double[] r = op.apply(a.low(i), a.high(i), b.low(i), b.high(i));
            if (r == null) {
                return null;
            }
            low[i] = r[0];
            high[i] = r[1];
        }
        return rounded(new ValueRange(low, high), out.dtype());
    }

    /**
     * The bounds as the output's type holds them. Rounding to nearest is monotone, so a float32 result of operands within
     * their bounds lies within the float32 rounding of the bounds' exact result; computed in double and rounded once to
     * float32, that is float32's own result for one add, subtract, multiply or divide of float32 operands (double
     * has more than twice float32's precision). Other float types are widened; an integer quotient (truncated or
     * floored) lies within the floor and ceiling of the exact one.
     */
    private static ValueRange rounded(ValueRange range, DType type) {
        double[] low = new double[range.size()];
        double[] high = new double[range.size()];
        for (int i = 0; i < range.size(); i++) {
            low[i] = range.low(i);
            high[i] = range.high(i);
            if (type == DType.FLOAT32) {
                low[i] = (float) low[i];
                high[i] = (float) high[i];
            } else if (type.isIntegral()) {
                low[i] = Math.floor(low[i]);
                high[i] = Math.ceil(high[i]);
            }
        }
        ValueRange result = new ValueRange(low, high);
        return type.isFloatingPoint() && type != DType.FLOAT32 && type != DType.FLOAT64 ? outward(result) : result;
    }

    /** Per element when the input has the output's shape; one pair when it is broadcast. */
    private static ValueRange aligned(ValueRange range, TensorInfo info, TensorInfo out) {
        return range.size() == 1 || info.shape().equals(out.shape()) && out.numel() <= ValueRange.PER_ELEMENT ? range : range.union();
    }

    private static double[] add(double al, double ah, double bl, double bh) {
        return new double[] {al + bl, ah + bh};
    }

    private static double[] sub(double al, double ah, double bl, double bh) {
        return new double[] {al - bh, ah - bl};
    }

    private static double[] mul(double al, double ah, double bl, double bh) {
        return extremes(al * bl, al * bh, ah * bl, ah * bh);
    }

    /** A divisor whose bounds hold 0 bounds nothing; otherwise the extremes are among the corners' quotients. */
    private static double[] div(double al, double ah, double bl, double bh) {
        if (bl <= 0 && bh >= 0) {
            return null;
        }
        return extremes(al / bl, al / bh, ah / bl, ah / bh);
    }

    private static double[] extremes(double... values) {
        double low = INF;
        double high = -INF;
        for (double v : values) {
            if (Double.isNaN(v)) {
                return null;
            }
            low = Math.min(low, v);
            high = Math.max(high, v);
        }
        return new double[] {low, high};
    }

    /** Max (or Min) of any number of inputs: the max (min) of the lower and of the upper bounds; an unbounded input gives an open end. */
    private static ValueRange clamps(List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, boolean max) {
        ValueRange result = null;
        for (int i = 0; i < in.size(); i++) {
            ValueRange range = in.get(i) == null ? ValueRange.of(-INF, INF) : aligned(in.get(i), infos.get(i), out);
            if (result == null) {
                result = range;
                continue;
            }
            ValueRange left = result;
            result = binaryRange(left, range, (l, r) -> max ? Math.max(l, r) : Math.min(l, r));
        }
        return result;
    }

    /** Applies {@code f} to the lower bounds and to the upper bounds (f monotone in both). */
    private static ValueRange binaryRange(ValueRange a, ValueRange b, DoubleBinaryOperator f) {
        int n = Math.max(a.size(), b.size());
        double[] low = new double[n];
        double[] high = new double[n];
        for (int i = 0; i < n; i++) {
            low[i] = f.applyAsDouble(a.low(i), b.low(i));
            high[i] = f.applyAsDouble(a.high(i), b.high(i));
        }
        return new ValueRange(low, high);
    }

    /** Clip(x, min?, max?) (inputs since opset 11, attributes before): x's bounds clamped to the limits the pass knows. */
    private static ValueRange clip(Node node, List<ValueRange> in, List<TensorInfo> infos, TensorInfo out, int index) {
        double low = in.size() > 1 && in.get(1) != null ? in.get(1).union().low(0) : attribute(node, "min", -INF);
        double high = in.size() > 2 && in.get(2) != null ? in.get(2).union().high(0) : attribute(node, "max", INF);
        return unary(in, out, low, high);
    }

    private static double attribute(Node node, String key, double absent) {
        return node.attribute(key).map(a -> a instanceof Attribute.Float f ? f.value() : absent).orElse(absent);
    }

    /** Input 0's bounds clamped to {@code [low, high]} (an unbounded input: the clamp's own bounds). */
    private static ValueRange unary(List<ValueRange> in, TensorInfo out, double low, double high) {
        ValueRange range = in.isEmpty() || in.get(0) == null ? ValueRange.of(-INF, INF) : in.get(0);
        return binaryRange(binaryRange(range, ValueRange.of(low, low), Math::max), ValueRange.of(high, high), Math::min);
    }

    /** {@code f} applied to both bounds: f non-decreasing, or non-increasing when {@code flips}. */
    private static ValueRange map(ValueRange range, TensorInfo out, java.util.function.DoubleUnaryOperator f, boolean flips) {
        if (range == null) {
            return null;
        }
        double[] low = new double[range.size()];
        double[] high = new double[range.size()];
        for (int i = 0; i < range.size(); i++) {
            double a = f.applyAsDouble(range.low(i));
            double b = f.applyAsDouble(range.high(i));
            low[i] = flips ? b : a;
            high[i] = flips ? a : b;
        }
        return new ValueRange(low, high);
    }

    /** Float arithmetic rounds: the bounds widened by far more than float32's rounding of one op (2^-24 relative). */
    private static ValueRange outward(ValueRange range) {
        double[] low = new double[range.size()];
        double[] high = new double[range.size()];
        for (int i = 0; i < range.size(); i++) {
            low[i] = range.low(i) - Math.abs(range.low(i)) * 0x1p-20;
            high[i] = range.high(i) + Math.abs(range.high(i)) * 0x1p-20;
        }
        return new ValueRange(low, high);
    }
}
