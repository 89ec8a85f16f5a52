package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/** ONNX SequenceErase(input_sequence, position?): the sequence without the tensor at {@code position} (the last when omitted); cost 0. */
public final class SequenceEraseRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input_sequence", "position?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> elements = new ArrayList<>(Sequences.of(ctx, "input_sequence"));
        if (elements.isEmpty()) {
            throw ctx.fail("input 'input_sequence' is empty, so no tensor can be erased");
        }
        int at = ctx.optionalInput("position").isPresent()
                ? Sequences.position(ctx, "position", elements.size(), false) : elements.size() - 1;
        elements.remove(at);
        return List.of(TensorInfo.sequence(ctx.input("input_sequence").dtype(), elements,
                Sequences.dataDependent(ctx, "input_sequence", "position")));
    }
}
