package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * A tensor after TorchScript code wrote into a view of it in place ({@code copy_} into {@code select(boxes_exp, 1, 0)},
 * as torchvision's expand_boxes fills a {@code zeros_like(boxes)}): the same tensor, its type and shape unchanged, its
 * values no longer the ones the shape rules knew, so none are carried as data. Input {@code written}, when the
 * interpreter knows it, is what the in-place op made for the view (the source expanded to the view's shape for
 * {@code copy_}): every element is then either an old one or a written one, so ValueRanges gives the output the hull of
 * both inputs' bounds (docs/conventions.md, "Value bounds"); without it, no bounds. It computes nothing and makes no
 * tensor (cost 0, no activation: the storage is its input's).
 */
public final class WrittenViewRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("x", "written?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("x");
        TensorInfo written = TensorInfo.of(x.dtype(), x.shape());
        return List.of(x.dataDependent() ? written.asDataDependent() : written);
    }
}
