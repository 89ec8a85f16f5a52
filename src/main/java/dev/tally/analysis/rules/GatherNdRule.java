package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX GatherND with {@code batch_dims} b: indices {@code [..., k]} pick slices of data, so
 * {@code Y = indices.shape[:-1] + data.shape[b + k:]}; cost 0 (data movement).
 */
public final class GatherNdRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "indices");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        TensorInfo indices = ctx.input("indices");
        long batchDims = ctx.attrLong("batch_dims", 0);
        if (indices.rank() < 1 || batchDims < 0 || batchDims >= Math.min(data.rank(), indices.rank())) {
            throw ctx.fail("input 'indices' has shape " + indices.shape() + " and batch_dims is " + batchDims
                    + ", expected rank 1 or more and batch_dims below both ranks");
        }
        long k = indices.shape().dim(-1);
        if (batchDims + k > data.rank()) {
            throw ctx.fail("input 'indices' has shape " + indices.shape() + ", so it indexes " + (batchDims + k)
                    + " axes of 'data', which has only " + data.rank());
        }
        List<Long> dims = new ArrayList<>(indices.shape().dims().subList(0, indices.rank() - 1));
        dims.addAll(data.shape().dims().subList((int) (batchDims + k), data.rank()));
        return List.of(TensorInfo.of(data.dtype(), new Shape(dims)));
    }
}
