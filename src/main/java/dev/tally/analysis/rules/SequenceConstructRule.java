package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/** ONNX SequenceConstruct: the sequence of its inputs, in order; cost 0 (no tensor is copied or computed). */
public final class SequenceConstructRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("inputs...");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> inputs = ctx.variadic("inputs");
        if (inputs.isEmpty()) {
            throw ctx.fail("the op needs at least one input");
        }
        return List.of(TensorInfo.sequence(inputs.get(0).dtype(), inputs,
                inputs.stream().anyMatch(TensorInfo::dataDependent)));
    }
}
