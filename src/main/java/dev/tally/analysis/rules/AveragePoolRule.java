package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX AveragePool (PyTorch {@code avg_poolNd}, with {@code ceil_mode} and {@code count_include_pad}): output size as
 * MaxPool; {@code macs = 0}, {@code ops = sum over outputs of the elements averaged} (window - 1 adds and one divide),
 * padding counted only with {@code count_include_pad}, windows clipped at the padded border (docs/conventions.md).
 */
public final class AveragePoolRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        return List.of(x.withShape(PoolShapes.windowed(ctx, x.shape()).outputShape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        PoolShapes.Windowed windowed = PoolShapes.windowed(ctx, ctx.input("X").shape());
        Windows.Geometry g = windowed.geometry();
        boolean includePad = ctx.attrLong("count_include_pad", 0) != 0;
        long[] out = windowed.outputShape().toArray();
        // Windows are separable: the total is N * C * the product over axes of the per-axis sums of window sizes.
        long total = Math.multiplyExact(out[0], out[1]);
        for (int a = 0; a < g.axes(); a++) {
            long in = windowed.input()[a];
            long sum = 0;
            for (long o = 0; o < out[a + 2]; o++) {
                long start = o * g.strides()[a] - g.padsBegin()[a];
                for (long j = 0; j < g.kernel()[a]; j++) {
                    long at = start + j * g.dilations()[a];
                    // As PyTorch: a window never reaches past the end padding; padding counts only if included.
                    boolean inside = at >= 0 && at < in;
                    boolean inPadding = at < in + g.padsEnd()[a];
                    if (inside || (includePad && inPadding)) {
                        sum++;
                    }
                }
            }
            total = Math.multiplyExact(total, sum);
        }
        return Cost.ops(total);
    }
}
