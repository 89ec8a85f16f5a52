package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX ConcatFromSequence(input_sequence; axis, new_axis): the sequence's tensors joined along {@code axis} as Concat
 * joins them, or stacked along a new axis at {@code axis} when {@code new_axis = 1} (every tensor the same shape);
 * cost 0 (data movement).
 */
public final class ConcatFromSequenceRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input_sequence");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> parts = Sequences.of(ctx, "input_sequence");
        if (parts.isEmpty()) {
            throw ctx.fail("input 'input_sequence' is empty, so there is nothing to concatenate");
        }
        boolean stack = ctx.attrLong("new_axis", 0) == 1;
        Shape first = parts.get(0).shape();
        int axis = Axes.normalize(ctx, ctx.attrLong("axis"), stack ? first.rank() + 1 : first.rank());
        long joined = 0;
        for (int p = 0; p < parts.size(); p++) {
            Shape s = parts.get(p).shape();
            for (int a = 0; a < first.rank(); a++) {
                if (s.rank() != first.rank() || (a != axis || stack) && s.dim(a) != first.dim(a)) {
                    throw ctx.fail("tensor " + p + " of the sequence has shape " + s + ", which does not match " + first
                            + (stack ? "" : " outside axis " + axis));
                }
            }
            joined = Math.addExact(joined, stack ? 1 : s.dim(axis));
        }
        List<Long> dims = new java.util.ArrayList<>(first.dims());
        if (stack) {
            dims.add(axis, joined);
        } else {
            dims.set(axis, joined);
        }
        TensorInfo out = TensorInfo.of(parts.get(0).dtype(), new Shape(dims));
        return List.of(Sequences.dataDependent(ctx, "input_sequence") ? out.asDataDependent() : out);
    }
}
