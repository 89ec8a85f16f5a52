package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/** ONNX SequenceAt(input_sequence, position): the tensor at {@code position} (negative counts from the back); cost 0. */
public final class SequenceAtRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input_sequence", "position");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> elements = Sequences.of(ctx, "input_sequence");
        TensorInfo at = elements.get(Sequences.position(ctx, "position", elements.size(), false));
        return List.of(Sequences.dataDependent(ctx, "input_sequence", "position") ? at.asDataDependent() : at);
    }
}
