package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX SequenceInsert(input_sequence, tensor, position?): the sequence with {@code tensor} inserted at
 * {@code position} (at the end when omitted; negative counts from the back); cost 0.
 */
public final class SequenceInsertRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input_sequence", "tensor", "position?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        List<TensorInfo> elements = new ArrayList<>(Sequences.of(ctx, "input_sequence"));
        TensorInfo tensor = ctx.input("tensor");
        if (tensor.isSequence()) {
            throw ctx.fail("input 'tensor' is a sequence, expected a tensor");
        }
        int at = ctx.optionalInput("position").isPresent()
                ? Sequences.position(ctx, "position", elements.size(), true) : elements.size();
        elements.add(at, tensor);
        return List.of(TensorInfo.sequence(ctx.input("input_sequence").dtype(), elements,
                Sequences.dataDependent(ctx, "input_sequence", "tensor", "position")));
    }
}
