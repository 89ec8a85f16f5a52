package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * A tensor after TorchScript code wrote into a view of it in place ({@code copy_} into {@code select(boxes_exp, 1, 0)},
 * as torchvision's expand_boxes fills a {@code zeros_like(boxes)}): the same tensor, its type and shape unchanged, its
 * values no longer the ones the shape rules knew or bounded, so none are carried (no data, no value bounds). It
 * computes nothing and makes no tensor (cost 0, no activation: the storage is its input's).
 */
public final class WrittenViewRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("x");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("x");
        TensorInfo written = TensorInfo.of(x.dtype(), x.shape());
        return List.of(x.dataDependent() ? written.asDataDependent() : written);
    }
}
