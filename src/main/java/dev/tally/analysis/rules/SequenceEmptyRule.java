package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/** ONNX SequenceEmpty: a sequence of no tensors, of element type {@code dtype} (float32 by default); cost 0. */
public final class SequenceEmptyRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of();
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return List.of(TensorInfo.sequence(CastRule.dtypeOf(ctx, "dtype", ctx.attrLong("dtype", 1)), List.of(), false));
    }
}
