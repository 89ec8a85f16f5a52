package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/** ONNX Transpose by {@code perm} (default: reversed axes): {@code Y.dim(i) = X.dim(perm[i])}; values permuted; cost 0. */
public final class TransposeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        int rank = data.rank();
        long[] perm = new long[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = rank - 1 - i;
        }
        List<Long> given = ctx.attrLongs("perm", List.of());
        if (!given.isEmpty()) {
            if (given.size() != rank) {
                throw ctx.fail("attribute 'perm' " + given + " has " + given.size() + " axes, expected " + rank);
            }
            perm = given.stream().mapToLong(Long::longValue).toArray();
        }
        int[] axes = Axes.normalizeAll(ctx, perm, rank);
        long[] in = data.shape().toArray();
        long[] inStrides = Values.strides(data.shape());
        long[] out = new long[rank];
        long[] walk = new long[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = in[axes[i]];
            walk[i] = inStrides[axes[i]];
        }
        Shape shape = Shape.of(out);
        if (!Values.known(data, shape)) {
            return List.of(TensorInfo.of(data.dtype(), shape));
        }
        return List.of(Values.take(data, shape, Values.gatherIndex(shape, walk)));
    }
}
