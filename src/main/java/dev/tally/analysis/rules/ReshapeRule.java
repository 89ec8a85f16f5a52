package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Reshape (and PyTorch {@code view}/{@code reshape}): the target's {@code 0} copies the input's dim at that
 * position (unless {@code allowzero}), one {@code -1} takes what is left; the element count must agree; values
 * carried; cost 0.
 */
public final class ReshapeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "shape");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        long[] target = Values.longs(ctx.inputData("shape"));
        boolean allowZero = ctx.attrLong("allowzero", 0) != 0;
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                if (i >= data.rank()) {
                    throw ctx.fail("input 'shape' holds 0 at position " + i + ", but 'data' (" + data.shape()
                            + ") has no dim there to copy");
                }
                target[i] = data.shape().dim(i);
            }
            if (target[i] == -1) {
                if (inferred >= 0) {
                    throw ctx.fail("input 'shape' " + java.util.Arrays.toString(target) + " holds -1 twice, expected at most once");
                }
                inferred = i;
            } else if (target[i] < 0) {
                throw ctx.fail("input 'shape' holds " + target[i] + ", expected sizes, 0 or -1");
            } else {
                known = Math.multiplyExact(known, target[i]);
            }
        }
        long numel = data.numel();
        if (inferred >= 0) {
            if (known == 0 || numel % known != 0) {
                throw ctx.fail("input 'data' (" + data.shape() + ", " + numel + " elements) cannot be reshaped to "
                        + java.util.Arrays.toString(target));
            }
            target[inferred] = numel / known;
        } else if (known != numel) {
            throw ctx.fail("input 'data' (" + data.shape() + ", " + numel + " elements) cannot be reshaped to "
                    + Shape.of(target) + " (" + known + " elements)");
        }
        return List.of(Values.reshaped(data, data.dtype(), Shape.of(target)));
    }
}
