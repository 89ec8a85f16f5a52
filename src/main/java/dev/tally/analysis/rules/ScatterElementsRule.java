package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX ScatterElements (and its older name Scatter): Y is {@code data} with the elements {@code indices} names along
 * {@code axis} replaced by {@code updates}, which has the shape of {@code indices}; cost 0 (data movement;
 * {@code reduction} is not counted).
 */
public final class ScatterElementsRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "indices", "updates");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        TensorInfo indices = ctx.input("indices");
        TensorInfo updates = ctx.input("updates");
        if (indices.rank() != data.rank() || !indices.shape().equals(updates.shape())) {
            throw ctx.fail("inputs 'indices' " + indices.shape() + " and 'updates' " + updates.shape()
                    + " should have one shape, of the rank of 'data' " + data.shape());
        }
        Axes.normalize(ctx, ctx.attrLong("axis", 0), data.rank());
        return List.of(TensorInfo.of(data.dtype(), data.shape()));
    }
}
