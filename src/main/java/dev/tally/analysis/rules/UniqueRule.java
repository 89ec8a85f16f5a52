package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Unique without {@code axis} (the elements of X flattened): Y, indices and counts {@code [n]}, inverse_indices
 * {@code [numel(X)]}. n depends on the data: it is given its bound, {@code n <= numel(X)}, and the outputs are marked
 * data-dependent. {@code ops = numel(X) (numel(X) - 1) / 2}: at most one comparison per pair of elements, as a sort of
 * the whole axis counts (TopK); {@code macs = 0} (docs/conventions.md, "Data-dependent sizes").
 */
public final class UniqueRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        if (ctx.node().attribute("axis").isPresent()) {
            throw ctx.fail("Unique along an axis has no rule here, only of the flattened elements");
        }
        long bound = x.numel();
        ctx.bound("the distinct elements are at most " + bound + ", the elements of its input (" + x.shape() + ")");
        TensorInfo distinct = TensorInfo.of(x.dtype(), Shape.of(bound)).asDataDependent();
        TensorInfo positions = TensorInfo.of(DType.INT64, Shape.of(bound)).asDataDependent();
        return List.of(distinct, positions, TensorInfo.of(DType.INT64, Shape.of(bound)), positions);
    }

    @Override
    public Cost cost(OpContext ctx) {
        long n = ctx.input("X").numel();
        return Cost.ops(n < 2 ? 0 : Math.multiplyExact(n, n - 1) / 2);
    }
}
