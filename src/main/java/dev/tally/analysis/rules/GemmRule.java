package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
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

    /**
     * {@code macs = M x C_in x C_out}, {@code ops = M x (C_in + 1) x C_out} with C, writing K as C_in and N as C_out as
     * for a Linear layer; when C is a bias of C_out, {@code params = (C_in + 1) x C_out}, the worksheet's Linear row.
     */
    @Override
    public Derivation derive(OpContext ctx) {
        long[] mkn = mkn(ctx);
        Expr m = term("M", mkn[0]);
        Expr k = term("C_in", mkn[1]);
        Expr n = term("C_out", mkn[2]);
        boolean bias = ctx.optionalInput("C").isPresent();
        Derivation.Builder lines = Derivation.of("Gemm");
        if (bias && ctx.input("C").numel() == mkn[2]) {
            lines.line(Quantity.PARAMS, "weights", times(k, n));
            lines.line(Quantity.PARAMS, "bias", n);
            lines.line(Quantity.PARAMS, "params", times(plus(k, num(1)), n));
        } else if (!bias) {
            lines.line(Quantity.PARAMS, "params", times(k, n));
        }
        lines.line(Quantity.MACS, "macs", times(m, k, n));
        lines.line(Quantity.OPS, "ops", bias ? times(m, plus(k, num(1)), n) : times(m, k, n));
        return lines.build();
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
