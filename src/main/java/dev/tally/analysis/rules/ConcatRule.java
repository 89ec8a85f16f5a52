package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Concat along {@code axis}: inputs agree on every other dim, the output's axis is the sum; values joined when
 * all are known (this is how Shape -> Gather -> Concat -> Reshape targets resolve); a 1-D input of size 0 beside inputs
 * of another rank is skipped, as PyTorch's cat skips it; cost 0 (data movement).
 */
public final class ConcatRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("inputs...");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> inputs = ctx.variadic("inputs");
        if (inputs.isEmpty()) {
            throw ctx.fail("the op needs at least one input");
        }
        // PyTorch's cat skips a 1-D tensor of size 0 beside tensors of another rank (its legacy rule, which
        // torch.onnx's Concat keeps): Emformer concatenates its memory bank, empty([0]) at the start, with 3-D blocks.
        List<TensorInfo> parts = inputs.stream().filter(t -> !legacyEmpty(t)).toList();
        if (parts.isEmpty()) {
            parts = inputs;
        }
        Shape first = parts.get(0).shape();
        int axis = Axes.normalize(ctx, ctx.attrLong("axis"), first.rank());
        long[] out = first.toArray();
        out[axis] = 0;
        for (int p = 0; p < inputs.size(); p++) {
            Shape s = inputs.get(p).shape();
            if (legacyEmpty(inputs.get(p)) && parts != inputs) {
                continue;
            }
            for (int a = 0; a < out.length; a++) {
                if (s.rank() != first.rank() || (a != axis && s.dim(a) != first.dim(a))) {
                    throw ctx.fail("input " + p + " has shape " + s + ", which does not match " + first
                            + " outside axis " + axis);
                }
            }
            out[axis] = Math.addExact(out[axis], s.dim(axis));
        }
        Shape shape = Shape.of(out);
        if (!Values.known(parts, shape)) {
            return List.of(TensorInfo.of(parts.get(0).dtype(), shape));
        }
        long outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= out[a];
        }
        boolean integral = parts.stream().allMatch(t -> t.data().get().isIntegral());
        double[] doubles = new double[(int) shape.numel()];
        long[] longs = new long[doubles.length];
        int e = 0;
        for (long o = 0; o < outer; o++) {
            for (TensorInfo part : parts) {
                long block = outer == 0 ? 0 : part.numel() / outer;
                ConstData data = part.data().get();
                for (long i = 0; i < block; i++) {
                    int from = (int) (o * block + i);
                    longs[e] = data.longAt(from);
                    doubles[e++] = data.doubleAt(from);
                }
            }
        }
        return List.of(integral ? Values.of(parts.get(0).dtype(), shape, longs) : Values.of(parts.get(0).dtype(), shape, doubles));
    }

    private static boolean legacyEmpty(TensorInfo t) {
        return t.rank() == 1 && t.shape().dim(0) == 0;
    }
}
