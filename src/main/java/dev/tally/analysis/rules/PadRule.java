package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Pad ({@code pads} [x1_begin, x2_begin, ..., x1_end, x2_end] as an input since opset 11, an attribute before;
 * {@code axes?} since 18; any {@code mode}): {@code D' = D + begin + end} (negative pads crop); cost 0 (data movement).
 */
public final class PadRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "pads?", "constant_value?", "axes?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        long[] pads;
        if (!ctx.valueName("pads").isEmpty()) {
            pads = Values.longs(ctx.inputData("pads"));
        } else {
            pads = ctx.attrLongs("pads").orElseThrow(() -> ctx.fail("input 'pads' is missing"))
                    .stream().mapToLong(Long::longValue).toArray();
        }
        int rank = data.rank();
        int[] axes;
        if (!ctx.valueName("axes").isEmpty()) {
            axes = Axes.normalizeAll(ctx, Values.longs(ctx.inputData("axes")), rank);
        } else {
            axes = new int[rank];
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        }
        if (pads.length != 2 * axes.length) {
            throw ctx.fail("input 'pads' has " + pads.length + " values, expected " + 2 * axes.length
                    + " (begin and end of each of " + axes.length + " axes)");
        }
        long[] out = data.shape().toArray();
        for (int i = 0; i < axes.length; i++) {
            out[axes[i]] += pads[i] + pads[i + axes.length];
            if (out[axes[i]] < 0) {
                throw ctx.fail("input 'pads' crops axis " + axes[i] + " of size " + data.shape().dim(axes[i]) + " below zero");
            }
        }
        return List.of(TensorInfo.of(data.dtype(), Shape.of(out)));
    }
}
