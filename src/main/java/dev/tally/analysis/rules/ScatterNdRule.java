package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX ScatterND (swin's shifted-window mask): Y is {@code data} with the slices {@code indices} names replaced by
 * {@code updates} ({@code updates.shape = indices.shape[:-1] + data.shape[k:]}); values when all are known; cost 0
 * (data movement; {@code reduction} is not counted).
 */
public final class ScatterNdRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "indices", "updates");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        TensorInfo indices = ctx.input("indices");
        TensorInfo updates = ctx.input("updates");
        if (indices.rank() < 1 || indices.shape().dim(-1) > data.rank()) {
            throw ctx.fail("input 'indices' has shape " + indices.shape() + ", expected its last dim at most the rank of"
                    + " 'data' (" + data.rank() + ")");
        }
        if (!Values.known(List.of(data, indices, updates), data.shape())
                || !ctx.attrString("reduction", "none").equals("none")) {
            return List.of(TensorInfo.of(data.dtype(), data.shape()));
        }
        int k = (int) indices.shape().dim(-1);
        long[] strides = Values.strides(data.shape());
        long slice = k == 0 ? data.numel() : strides[k - 1];
        double[] out = Values.doubles(data.data().get());
        double[] in = Values.doubles(updates.data().get());
        long[] idx = Values.longs(indices.data().get());
        int tuples = k == 0 ? 1 : idx.length / k;
        for (int t = 0; t < tuples; t++) {
            long base = 0;
            for (int j = 0; j < k; j++) {
                long dim = data.shape().dim(j);
                long i = idx[t * k + j] < 0 ? idx[t * k + j] + dim : idx[t * k + j];
                if (i < 0 || i >= dim) {
                    throw ctx.fail("input 'indices' holds " + idx[t * k + j] + ", out of range for axis " + j + " of size " + dim);
                }
                base += i * strides[j];
            }
            for (long s = 0; s < slice; s++) {
                out[(int) (base + s)] = in[(int) (t * slice + s)];
            }
        }
        return List.of(Values.of(data.dtype(), data.shape(), out));
    }
}
