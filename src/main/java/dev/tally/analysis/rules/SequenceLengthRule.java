package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/** ONNX SequenceLength: the number of tensors in the sequence, an int64 scalar the shape pass knows; cost 0. */
public final class SequenceLengthRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input_sequence");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo length = Values.of(DType.INT64, Shape.scalar(), new long[] {Sequences.of(ctx, "input_sequence").size()});
        return List.of(Sequences.dataDependent(ctx, "input_sequence") ? length.asDataDependent() : length);
    }
}
