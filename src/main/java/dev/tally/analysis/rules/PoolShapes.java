package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.ir.Shape;

/** The N x C x D1 x ... layout shared by MaxPool and AveragePool, on top of {@link Windows}. */
final class PoolShapes {
    private PoolShapes() {
    }

    record Windowed(Windows.Geometry geometry, long[] input, Shape outputShape) {
    }

    /** Kernel from the required {@code kernel_shape} attribute, one entry per spatial axis of a rank-{@code rank} input. */
    static long[] kernel(OpContext ctx, int rank) {
        if (rank < 3) {
            throw ctx.fail("input 'X' has rank " + rank + ", expected 3 to 5 (N x C x spatial)");
        }
        if (!ctx.hasAttribute("kernel_shape")) {
            throw ctx.fail("attribute 'kernel_shape' is missing");
        }
        return Windows.perAxis(ctx, "kernel_shape", rank - 2, 1);
    }

    static Windowed windowed(OpContext ctx, Shape x) {
        long[] dims = x.toArray();
        long[] spatial = Windows.spatial(dims);
        Windows.Geometry geometry = Windows.resolve(ctx, spatial, kernel(ctx, x.rank()));
        long[] out = dims.clone();
        System.arraycopy(geometry.outputSizes(ctx, spatial), 0, out, 2, spatial.length);
        return new Windowed(geometry, spatial, Shape.of(out));
    }
}
