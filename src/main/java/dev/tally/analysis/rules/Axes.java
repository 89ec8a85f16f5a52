package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import java.util.List;
import java.util.Optional;

/** Axis arguments: negative axes count from the end; {@code axes} comes from an input (newer opsets) or an attribute. */
final class Axes {
    private Axes() {
    }

    /** {@code axis} in {@code [0, rank)}; a negative axis counts from the end. */
    static int normalize(OpContext ctx, long axis, int rank) {
        long normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= rank) {
            throw ctx.fail("axis " + axis + " is out of range for a tensor of rank " + rank);
        }
        return (int) normalized;
    }

    /**
     * The {@code axes} of Squeeze, Unsqueeze, ReduceMean and friends: an input since opsets 13/18, an attribute
     * before; when a node has both, the input wins. Empty when neither is given.
     */
    static Optional<long[]> of(OpContext ctx) {
        if (!ctx.valueName("axes").isEmpty()) {
            return Optional.of(Values.longs(ctx.inputData("axes")));
        }
        return ctx.attrLongs("axes").map(list -> list.stream().mapToLong(Long::longValue).toArray());
    }

    /** Normalised axes, checked for repeats. */
    static int[] normalizeAll(OpContext ctx, long[] axes, int rank) {
        int[] result = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            result[i] = normalize(ctx, axes[i], rank);
            if (seen[result[i]]) {
                throw ctx.fail("axis " + axes[i] + " is given twice in 'axes'");
            }
            seen[result[i]] = true;
        }
        return result;
    }

    static List<Long> boxed(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
