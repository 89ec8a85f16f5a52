package dev.tally.analysis.saved;

import dev.tally.analysis.Strides;
import dev.tally.analysis.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A matrix product keeps each factor the other's gradient needs, as {@code mm}/{@code bmm} save them
 * ({@code BmmBackward0} saves {@code self} when {@code mat2} needs a gradient and {@code mat2} when {@code self} does),
 * but it keeps them as torch 1.13's {@code matmul} hands them to {@code mm}/{@code bmm}:
 * <ul>
 *   <li>both factors batched (a rank above 2 on either side, the other above 1): each is expanded to the output's
 *       batch and reshaped to {@code [batch, n, m]}; when that reshape cannot be a view of the factor's storage (the
 *       batch axes do not follow each other in memory: swin's {@code k^T} and {@code v}, views of the fused qkv
 *       tensor), {@code reshape} copies, and the backward keeps the copy, a new tensor, not the factor's storage;</li>
 *   <li>one factor of rank 3 or more times a matrix or a vector: the batched one (transposed when it is the second)
 *       is folded to {@code [-1, m]} and {@code mm} keeps that, again a copy when no view can fold it; except a
 *       rank-3 factor whose last two axes are transposed and whose batch axis is outermost, which goes to
 *       {@code bmm} as it is;</li>
 *   <li>matrices and vectors: kept as they are.</li>
 * </ul>
 */
public final class MatMulSavedRule implements SavedRule {
    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs) {
        return KeepsInputsRule.all().kept(inputs, outputs);
    }

    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs, List<Boolean> needsGradient) {
        return ProductSavedRule.product().kept(inputs, outputs, needsGradient);
    }

    @Override
    public Kept kept(List<TensorInfo> inputs, List<TensorInfo> outputs, List<Boolean> needsGradient, List<long[]> strides) {
        Kept kept = kept(inputs, outputs, needsGradient);
        if (inputs.size() != 2 || inputs.get(0) == null || inputs.get(1) == null || strides.size() != 2) {
            return kept;
        }
        List<Integer> views = new ArrayList<>();
        long copies = 0;
        for (int i : kept.inputs()) {
            long copy = copyBytes(inputs, strides, i);
            if (copy > 0) {
                copies = Math.addExact(copies, copy);
            } else {
                views.add(i);
            }
        }
        return new Kept(views, kept.outputs(), Math.addExact(kept.freshBytes(), copies));
    }

    /** The bytes of the copy matmul makes of factor {@code i} before mm/bmm keeps it; 0 when it keeps a view. */
    private static long copyBytes(List<TensorInfo> inputs, List<long[]> strides, int i) {
        TensorInfo factor = inputs.get(i);
        TensorInfo other = inputs.get(1 - i);
        long[] shape = factor.shape().toArray();
        long[] layout = strides.get(i);
        if (layout == null || layout.length != shape.length) {
            return 0; // a weight or a constant: stored, never copied into the saved tensors
        }
        int rank = shape.length;
        int otherRank = other.rank();
        if (rank <= 2 && otherRank <= 2) {
            return 0;
        }
        if (rank >= 3 && otherRank <= 2 || rank <= 2 && otherRank >= 3) {
            if (rank <= 2) {
                return 0; // the matrix or vector goes to mm transposed, a view
            }
            boolean transposedBatch = rank == 3 && otherRank == 2 && layout[2] != 1 && layout[0] == shape[1] * shape[2];
            if (transposedBatch) {
                return 0; // bmm takes it as it is
            }
            if (i == 1) {
                // The second factor is folded as its transpose (mT): swap the last two axes.
                swapLastTwo(shape);
                layout = layout.clone();
                swapLastTwo(layout);
            }
            long rows = factor.numel() / Math.max(1, shape[rank - 1]);
            return Strides.view(shape, layout, new long[] {rows, shape[rank - 1]}) == null ? factor.bytes() : 0;
        }
        // Both batched: expand to the output's batch, then reshape to [batch, n, m].
        long[] outBatch = batch(factor.shape().toArray(), other.shape().toArray());
        long[] expandedShape = new long[outBatch.length + 2];
        long[] expandedStrides = new long[outBatch.length + 2];
        int offset = outBatch.length - (rank - 2);
        long product = 1;
        for (int axis = 0; axis < outBatch.length; axis++) {
            int from = axis - offset;
            expandedShape[axis] = outBatch[axis];
            expandedStrides[axis] = from < 0 || shape[from] == 1 && outBatch[axis] != 1 ? 0 : layout[from];
            product = Math.multiplyExact(product, outBatch[axis]);
        }
        for (int k = 0; k < 2; k++) {
            expandedShape[outBatch.length + k] = rank == 1 ? (k == 0 ? 1 : shape[0]) : shape[rank - 2 + k];
            expandedStrides[outBatch.length + k] = rank == 1 ? layout[0] : layout[rank - 2 + k];
        }
        long n = expandedShape[outBatch.length];
        long m = expandedShape[outBatch.length + 1];
        if (Strides.view(expandedShape, expandedStrides, new long[] {product, n, m}) != null) {
            return 0;
        }
        return Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(product, n), m), (long) factor.dtype().byteSize());
    }

    /** The broadcast batch axes (all but the last two) of two factors. */
    private static long[] batch(long[] a, long[] b) {
        int ra = Math.max(0, a.length - 2);
        int rb = Math.max(0, b.length - 2);
        long[] out = new long[Math.max(ra, rb)];
        for (int k = 0; k < out.length; k++) {
            int fa = k - (out.length - ra);
            int fb = k - (out.length - rb);
            long da = fa < 0 ? 1 : a[fa];
            long db = fb < 0 ? 1 : b[fb];
            out[k] = da == 1 ? db : da;
        }
        return out;
    }

    private static void swapLastTwo(long[] values) {
        long last = values[values.length - 1];
        values[values.length - 1] = values[values.length - 2];
        values[values.length - 2] = last;
    }
}
