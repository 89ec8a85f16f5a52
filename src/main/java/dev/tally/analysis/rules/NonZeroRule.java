package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX NonZero: int64 {@code [rank(X), n]}, the indices of the n nonzero elements. n depends on the data: it is given
 * its bound, {@code n <= numel(X)}, and the output is marked data-dependent; {@code ops = numel(X)}, one comparison
 * with zero per element (docs/conventions.md, "Data-dependent sizes").
 */
public final class NonZeroRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long bound = x.numel();
        ctx.bound("the count of nonzero elements is at most " + bound + ", the elements of its input (" + x.shape() + ")");
        return List.of(TensorInfo.of(DType.INT64, Shape.of(x.rank(), bound)).asDataDependent());
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.input("X").numel());
    }
}
