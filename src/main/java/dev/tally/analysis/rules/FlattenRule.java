package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/** ONNX Flatten at {@code axis} (default 1): {@code [prod(dims[:axis]), prod(dims[axis:])]}; values carried; cost 0. */
public final class FlattenRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        // Flatten's axis may equal the rank: everything goes into the outer dim.
        int axis = Axes.normalizeBoundary(ctx, ctx.attrLong("axis", 1), input.rank());
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < input.rank(); i++) {
            if (i < axis) {
                outer = Math.multiplyExact(outer, input.shape().dim(i));
            } else {
                inner = Math.multiplyExact(inner, input.shape().dim(i));
            }
        }
        return List.of(Values.reshaped(input, input.dtype(), Shape.of(outer, inner)));
    }
}
