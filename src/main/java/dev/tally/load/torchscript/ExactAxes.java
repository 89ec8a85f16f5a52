package dev.tally.load.torchscript;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which axes of a tensor whose sizes depend on the data are nonetheless the same in every run (docs/conventions.md,
 * "Data-dependent sizes"): Mask R-CNN's mask logits are {@code [n, 91, 28, 28]} with n the number of detections, and
 * torchvision's expand_masks reads {@code M = mask.size(-1)}, which is 28 in every run, not only at most 28. Only the
 * axes a rule below proves are exact; every other axis of a data-dependent tensor stays a bounded size. An axis is exact
 * when its size is a function of exact input axes and of the node's attributes and constant inputs alone; one table
 * says how each op maps input axes to output axes, and an op not in it has no exact axis, which is always safe.
 * Constant inputs are trusted only where a size they hold cannot be read from a data-dependent tensor at its bound: a
 * node that takes such a size ({@code tally.data_dependent}) or a size-making op ({@code NonZero}, a data-dependent
 * {@code if}) has none, and an op whose output size a constant shape input decides (Expand, ConstantOfShape) uses only
 * the sizes the interpreter knew as Python ints ({@link GraphBuilder#markExactValues}).
 */
final class ExactAxes {
    /**
     * One op's exact output axes: {@code in} holds each input's exact axes (all true for an input whose sizes do not
     * depend on the data; null for an absent input or one with none known), {@code known} whether each input's sizes do
     * not depend on the data at all, {@code values} the elements the interpreter knew exactly of each input (null when
     * it did not record them). Returns null when no axis is exact.
     */
    @FunctionalInterface
    private interface Rule {
        boolean[] apply(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
                TensorInfo out, int index);
    }

    /** Ops whose (first) output has their first input's shape, whatever their other inputs are. */
    private static final Set<String> SAME_SHAPE = Set.of("Relu", "Sigmoid", "Tanh", "Exp", "Log", "Neg", "Abs", "Sqrt", "Cast",
            "Identity", "Clip", "LeakyRelu", "Softmax", "LogSoftmax", "Dropout", "Erf", "Floor", "Ceil", "Not", "HardSigmoid",
            "HardSwish", "Sign", "Reciprocal", "Round", "ScatterND", "ScatterElements", "WrittenView", "BatchNormalization",
            "LayerNormalization", "InstanceNormalization", "GroupNormalization", "Gelu", "Elu", "Selu", "Softplus", "Mish");
    /** Elementwise ops whose inputs broadcast together. */
    private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less",
            "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "Where", "Max", "Min", "Mod");

    private static final Map<String, Rule> TABLE = Map.ofEntries(
            Map.entry("Conv", ExactAxes::conv),
            Map.entry("ConvTranspose", ExactAxes::conv),
            Map.entry("Concat", ExactAxes::concat),
            Map.entry("Slice", (node, infos, in, known, values, out, index) -> sameIfParametersKnown(infos, in, known, out)),
            Map.entry("Pad", (node, infos, in, known, values, out, index) -> sameIfParametersKnown(infos, in, known, out)),
            Map.entry("Unsqueeze", ExactAxes::unsqueeze),
            Map.entry("Split", ExactAxes::split),
            Map.entry("Gather", ExactAxes::gather),
            Map.entry("GatherND", ExactAxes::gatherNd),
            Map.entry("Expand", ExactAxes::expand),
            Map.entry("ConstantOfShape", (node, infos, in, known, values, out, index) -> values.isEmpty() ? null : values.get(0)),
            Map.entry("Transpose", ExactAxes::transpose));

    private ExactAxes() {
    }

    /** The exact axes of output {@code index} of {@code node}, or null when none is known to be exact. */
    static boolean[] of(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (out == null || out.isSequence() || infos.stream().anyMatch(info -> info != null && info.isSequence())) {
            return null;
        }
        Rule rule = TABLE.get(node.opType());
        if (rule == null && SAME_SHAPE.contains(node.opType())) {
            rule = (n, i, axes, k, v, o, x) -> x != 0 || axes.isEmpty() || infos.get(0) == null || infos.get(0).rank() != o.rank() ? null : axes.get(0);
        }
        if (rule == null && BROADCAST.contains(node.opType())) {
            rule = ExactAxes::broadcast;
        }
        boolean[] axes;
        try {
            axes = rule == null ? null : rule.apply(node, infos, in, known, values, out, index);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // An axis out of range: the shape rule accepted the node, so this does not happen; no exact axis is safe.
            return null;
        }
        if (axes == null || axes.length != out.rank()) {
            return null;
        }
        for (boolean axis : axes) {
            if (axis) {
                return axes.clone();
            }
        }
        return null;
    }

    /**
     * Conv and ConvTranspose: the batch axis is the input's, the channels the weight's, each spatial axis a function of
     * the same input axis and of the weight's kernel and the node's attributes. Only with a weight whose sizes are known.
     */
    private static boolean[] conv(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (in.size() < 2 || infos.get(0) == null || !known.get(1) || infos.get(0).rank() != out.rank()) {
            return null;
        }
        boolean[] axes = orNone(in.get(0), out.rank()).clone();
        axes[1] = true;
        return axes;
    }

    /** Concat: an axis (the joined one too) is exact when every input's is. */
    private static boolean[] concat(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        int axis = normalize(attribute(node, "axis", 0), out.rank());
        boolean[] axes = new boolean[out.rank()];
        for (int a = 0; a < axes.length; a++) {
            boolean all = true;
            boolean any = false;
            for (int i = 0; i < in.size(); i++) {
                if (infos.get(i) == null) {
                    continue;
                }
                boolean exact = in.get(i) != null && infos.get(i).rank() == out.rank() && in.get(i)[a];
                all &= exact;
                any |= exact;
            }
            // Any input's exact size would fix the others' on an axis not joined; all are asked, in case one holds a
            // size a constant passed at its bound.
            axes[a] = all && any;
        }
        return axes;
    }

    /** Slice and Pad: each axis a function of the same input axis and of starts, ends, steps or pads known to the code. */
    private static boolean[] sameIfParametersKnown(List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, TensorInfo out) {
        for (int i = 1; i < known.size(); i++) {
            if (infos.get(i) != null && (!known.get(i) || infos.get(i).data().isEmpty())) {
                return null;
            }
        }
        return in.isEmpty() || infos.get(0) == null || infos.get(0).rank() != out.rank() ? null : in.get(0);
    }

    private static boolean[] unsqueeze(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        long[] axes;
        if (infos.size() > 1 && infos.get(1) != null) {
            if (!known.get(1) || infos.get(1).data().isEmpty()) {
                return null;
            }
            dev.tally.ir.ConstData data = infos.get(1).data().get();
            axes = new long[data.size()];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = data.longAt(i);
            }
        } else if (node.attribute("axes").orElse(null) instanceof Attribute.Ints ints) {
            axes = ints.values().stream().mapToLong(Long::longValue).toArray();
        } else {
            return null;
        }
        if (infos.get(0) == null || infos.get(0).rank() + axes.length != out.rank()) {
            return null;
        }
        boolean[] data = orNone(in.get(0), infos.get(0).rank());
        boolean[] inserted = new boolean[out.rank()];
        for (long axis : axes) {
            inserted[normalize(axis, out.rank())] = true;
        }
        boolean[] result = new boolean[out.rank()];
        for (int a = 0, from = 0; a < out.rank(); a++) {
            // An inserted axis is 1 in every run.
            result[a] = inserted[a] || data[from++];
        }
        return result;
    }

    /** Split: every axis but the split one is the input's. */
    private static boolean[] split(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (in.get(0) == null || infos.get(0).rank() != out.rank()) {
            return null;
        }
        boolean[] axes = in.get(0).clone();
        axes[normalize(attribute(node, "axis", 0), out.rank())] = false;
        return axes;
    }

    /** Gather on axis a: data's axes before a, then the indices' axes, then data's after a. */
    private static boolean[] gather(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (infos.size() < 2 || infos.get(0) == null || infos.get(1) == null) {
            return null;
        }
        int rank = infos.get(0).rank();
        int axis = normalize(attribute(node, "axis", 0), rank);
        boolean[] data = orNone(in.get(0), rank);
        boolean[] indices = orNone(in.get(1), infos.get(1).rank());
        boolean[] axes = new boolean[out.rank()];
        int at = 0;
        for (int a = 0; a < axis; a++) {
            axes[at++] = data[a];
        }
        for (boolean b : indices) {
            axes[at++] = b;
        }
        for (int a = axis + 1; a < rank; a++) {
            axes[at++] = data[a];
        }
        return at == axes.length ? axes : null;
    }

    /** GatherND without batch axes: the indices' axes but the last (which must be exact), then data's past the indexed ones. */
    private static boolean[] gatherNd(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (infos.size() < 2 || infos.get(0) == null || infos.get(1) == null || attribute(node, "batch_dims", 0) != 0) {
            return null;
        }
        int indexRank = infos.get(1).rank();
        boolean[] indices = orNone(in.get(1), indexRank);
        if (indexRank < 1 || !indices[indexRank - 1]) {
            return null;
        }
        long k = infos.get(1).shape().dim(indexRank - 1);
        boolean[] data = orNone(in.get(0), infos.get(0).rank());
        boolean[] axes = new boolean[out.rank()];
        int at = 0;
        for (int a = 0; a < indexRank - 1; a++) {
            axes[at++] = indices[a];
        }
        for (int a = (int) k; a < data.length; a++) {
            axes[at++] = data[a];
        }
        return at == axes.length ? axes : null;
    }

    /**
     * Expand: an axis is exact where the input's is and is not 1 (broadcasting then keeps it, or the run fails); where
     * the input is 1 or has no such axis, the size is the shape input's, which the interpreter may have read from a
     * data-dependent tensor at its bound, so only its elements known to the code count.
     */
    private static boolean[] expand(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (infos.get(0) == null) {
            return null;
        }
        int rank = infos.get(0).rank();
        boolean[] data = orNone(in.get(0), rank);
        boolean[] shape = values.size() > 1 ? values.get(1) : null;
        boolean[] axes = new boolean[out.rank()];
        for (int a = 0; a < out.rank(); a++) {
            int from = a - (out.rank() - rank);
            boolean kept = from >= 0 && data[from] && infos.get(0).shape().dim(from) != 1;
            boolean stated = shape != null && shape.length == out.rank() && shape[a] && (from < 0 || data[from]);
            axes[a] = kept || stated;
        }
        return axes;
    }

    private static boolean[] transpose(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        if (in.get(0) == null || infos.get(0).rank() != out.rank()) {
            return null;
        }
        int rank = out.rank();
        long[] perm = new long[rank];
        if (node.attribute("perm").orElse(null) instanceof Attribute.Ints ints && ints.values().size() == rank) {
            perm = ints.values().stream().mapToLong(Long::longValue).toArray();
        } else {
            for (int a = 0; a < rank; a++) {
                perm[a] = rank - 1 - a;
            }
        }
        boolean[] axes = new boolean[rank];
        for (int a = 0; a < rank; a++) {
            axes[a] = in.get(0)[normalize(perm[a], rank)];
        }
        return axes;
    }

    /** Broadcasting, aligned from the last axis: exact when every input holding the axis has it exact. */
    private static boolean[] broadcast(Node node, List<TensorInfo> infos, List<boolean[]> in, List<Boolean> known, List<boolean[]> values,
            TensorInfo out, int index) {
        boolean[] axes = new boolean[out.rank()];
        for (int a = 0; a < out.rank(); a++) {
            boolean all = true;
            for (int i = 0; i < infos.size(); i++) {
                TensorInfo info = infos.get(i);
                if (info == null) {
                    continue;
                }
                int from = a - (out.rank() - info.rank());
                if (from < 0) {
                    continue;
                }
                all &= in.get(i) != null && in.get(i)[from];
            }
            axes[a] = all;
        }
        return axes;
    }

    private static boolean[] orNone(boolean[] axes, int rank) {
        return axes != null && axes.length == rank ? axes : new boolean[rank];
    }

    private static long attribute(Node node, String key, long absent) {
        return node.attribute(key).orElse(null) instanceof Attribute.Int i ? i.value() : absent;
    }

    private static int normalize(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    /** Each input's exact axes as {@link #of} takes them: all of a tensor whose sizes are known, else the recorded ones. */
    static List<boolean[]> inputs(List<TensorInfo> infos, List<Boolean> known, Map<String, boolean[]> recorded, List<String> names) {
        List<boolean[]> result = new ArrayList<>();
        for (int i = 0; i < infos.size(); i++) {
            TensorInfo info = infos.get(i);
            if (info == null || info.isSequence()) {
                result.add(null);
            } else if (known.get(i)) {
                boolean[] all = new boolean[info.rank()];
                java.util.Arrays.fill(all, true);
                result.add(all);
            } else {
                result.add(recorded.get(names.get(i)));
            }
        }
        return result;
    }
}
