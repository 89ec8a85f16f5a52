package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX LRN: {@code Y = X / (bias + alpha/size * sum of squares over w neighbouring channels)^beta}, shape of X;
 * {@code macs = 0}, {@code ops = sum over elements of (2w + 3)}: w squares, w - 1 adds, one multiply, one add, one
 * power, one divide; w is the channel window {@code [c - floor((size-1)/2), c + ceil((size-1)/2)]} clipped to
 * {@code [0, C)} as the ONNX spec has it (docs/conventions.md).
 */
public final class LrnRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        if (x.rank() < 3) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected 3 or more (N x C x spatial)");
        }
        ctx.attrLong("size");
        return List.of(x.withShape(x.shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long channels = x.shape().dim(1);
        long perPlane = Math.addExact(Math.multiplyExact(2, windows(ctx.attrLong("size"), channels)),
                Math.multiplyExact(3, channels));
        long planes = channels == 0 ? 0 : x.numel() / channels;
        return Cost.ops(Math.multiplyExact(planes, perPlane));
    }

    /**
     * {@code ops = P x (2 x W + 3 x C)}: P planes of C channels; per channel 2w + 3 for a window of w channels, so W is
     * the window sizes summed over the channels (clipped at the edges).
     */
    @Override
    public Derivation derive(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long size = ctx.attrLong("size");
        long channels = x.shape().dim(1);
        long windows = windows(size, channels);
        long planes = channels == 0 ? 0 : x.numel() / channels;
        Expr ops = Expr.times(Expr.term("P", planes), Expr.plus(Expr.times(Expr.num(2), Expr.term("W", windows)),
                Expr.times(Expr.num(3), Expr.term("C", channels))));
        return Derivation.of("LRN").line(Quantity.OPS, "ops", ops, "",
                "W = channel windows of size " + size + " summed over C, clipped at the edges").build();
    }

    /** The sizes of the channel windows summed over the channels, each clipped at the edges (cost and derivation share it). */
    private static long windows(long size, long channels) {
        long before = (size - 1) / 2;
        long after = size - 1 - before;
        long sum = 0;
        for (long c = 0; c < channels; c++) {
            sum = Math.addExact(sum, Math.min(channels - 1, c + after) - Math.max(0, c - before) + 1);
        }
        return sum;
    }
}
