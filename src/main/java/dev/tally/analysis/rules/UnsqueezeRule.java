package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Unsqueeze: inserts size-1 dims at {@code axes} (input since opset 13, attribute before; the input wins),
 * axes counted in the output's rank; values carried; cost 0.
 */
public final class UnsqueezeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "axes?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        long[] axes = Axes.of(ctx).orElseThrow(() -> ctx.fail("input 'axes' is missing (and no 'axes' attribute)"));
        int rank = data.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (int axis : Axes.normalizeAll(ctx, axes, rank)) {
            inserted[axis] = true;
        }
        long[] out = new long[rank];
        for (int a = 0, from = 0; a < rank; a++) {
            out[a] = inserted[a] ? 1 : data.shape().dim(from++);
        }
        return List.of(Values.reshaped(data, data.dtype(), Shape.of(out)));
    }
}
