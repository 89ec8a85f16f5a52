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
        long axis = ctx.attrLong("axis", 1);
        int rank = input.rank();
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a > rank) {
            throw ctx.fail("attribute 'axis' is " + axis + ", out of range for a tensor of rank " + rank);
        }
        long outer = 1;
        for (int i = 0; i < a; i++) {
            outer = Math.multiplyExact(outer, input.shape().dim(i));
        }
        long inner = outer == 0 ? 0 : input.numel() / outer;
        if (outer == 0) {
            inner = 1;
            for (int i = (int) a; i < rank; i++) {
                inner *= input.shape().dim(i);
            }
        }
        return List.of(Values.reshaped(input, input.dtype(), Shape.of(outer, inner)));
    }
}
