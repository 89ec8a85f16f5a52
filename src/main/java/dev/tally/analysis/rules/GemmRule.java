package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Gemm: {@code Y[M, N] = alpha * A'[M, K] B'[K, N] + beta * C}, A' and B' transposed per {@code transA}/{@code transB};
 * {@code macs = M * K * N}, {@code ops = M * N * (K + b)}, {@code b = 1} with C (docs/conventions.md, Linear / Gemm).
 */
public final class GemmRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("A", "B", "C?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        long[] mkn = mkn(ctx);
        Shape y = Shape.of(mkn[0], mkn[2]);
        ctx.optionalInput("C").ifPresent(c -> {
            if (!Broadcast.shape(c.shape(), y).equals(y)) {
                throw ctx.fail("input 'C' has shape " + c.shape() + ", which does not broadcast to " + y);
            }
        });
        return List.of(TensorInfo.of(ctx.input("A").dtype(), y));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long[] mkn = mkn(ctx);
        long outputs = Math.multiplyExact(mkn[0], mkn[2]);
        long bias = ctx.optionalInput("C").isPresent() ? 1 : 0;
        return new Cost(Math.multiplyExact(outputs, mkn[1]), Math.multiplyExact(outputs, mkn[1] + bias));
    }

    private static long[] mkn(OpContext ctx) {
        Shape a = ctx.input("A").shape();
        Shape b = ctx.input("B").shape();
        if (a.rank() != 2) {
            throw ctx.fail("input 'A' has rank " + a.rank() + ", expected 2");
        }
        if (b.rank() != 2) {
            throw ctx.fail("input 'B' has rank " + b.rank() + ", expected 2");
        }
        boolean transA = ctx.attrLong("transA", 0) != 0;
        boolean transB = ctx.attrLong("transB", 0) != 0;
        long m = transA ? a.dim(1) : a.dim(0);
        long k = transA ? a.dim(0) : a.dim(1);
        long kb = transB ? b.dim(1) : b.dim(0);
        long n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw ctx.fail("inputs 'A' (" + a + (transA ? ", transposed" : "") + ") and 'B' (" + b
                    + (transB ? ", transposed" : "") + ") have inner sizes " + k + " and " + kb);
        }
        return new long[] {m, k, n};
    }
}
