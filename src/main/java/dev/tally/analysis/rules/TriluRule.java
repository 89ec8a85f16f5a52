package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/** ONNX Trilu (the upper or lower triangle of the last two axes, the rest zeroed): same shape; cost 0 (a mask copy). */
public final class TriluRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "k?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        if (input.rank() < 2) {
            throw ctx.fail("input 'input' has rank " + input.rank() + ", expected 2 or more");
        }
        return List.of(TensorInfo.of(input.dtype(), input.shape()));
    }
}
