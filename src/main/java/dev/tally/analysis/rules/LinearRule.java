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
 * IR op Linear (PyTorch {@code F.linear}, emitted by the TorchScript loader): {@code Y[..., out] = X[..., in] W^T + B},
 * W is {@code [out, in]}; with {@code N} the product of X's leading dims, {@code macs = N * in * out},
 * {@code ops = N * out * (in + b)} (docs/conventions.md, Linear / Gemm).
 */
public final class LinearRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "W", "B?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        Shape w = ctx.input("W").shape();
        if (w.rank() != 2) {
            throw ctx.fail("input 'W' has rank " + w.rank() + ", expected 2 (out_features x in_features)");
        }
        if (x.rank() < 1 || x.shape().dim(-1) != w.dim(1)) {
            throw ctx.fail("input 'X' has shape " + x.shape() + ", expected its last dim to be " + w.dim(1)
                    + " (in_features of 'W' " + w + ")");
        }
        ctx.optionalInput("B").ifPresent(b -> {
            if (b.numel() != w.dim(0) || b.rank() > 1) {
                throw ctx.fail("input 'B' has shape " + b.shape() + ", expected " + w.dim(0));
            }
        });
        long[] out = x.shape().toArray();
        out[out.length - 1] = w.dim(0);
        return List.of(TensorInfo.of(x.dtype(), Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        Shape w = ctx.input("W").shape();
        long rows = w.dim(1) == 0 ? 0 : ctx.input("X").numel() / w.dim(1);
        long outputs = Math.multiplyExact(rows, w.dim(0));
        long bias = ctx.optionalInput("B").isPresent() ? 1 : 0;
        return new Cost(Math.multiplyExact(outputs, w.dim(1)), Math.multiplyExact(outputs, w.dim(1) + bias));
    }

    /** {@code params = (C_in + 1) x C_out}, {@code ops = R x (C_in + 1) x C_out}, R the rows of X (worksheet, Linear). */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape w = ctx.input("W").shape();
        long rows = w.dim(1) == 0 ? 0 : ctx.input("X").numel() / w.dim(1);
        Expr r = term("R", rows);
        Expr in = term("C_in", w.dim(1));
        Expr out = term("C_out", w.dim(0));
        boolean bias = ctx.optionalInput("B").isPresent();
        Derivation.Builder lines = Derivation.of("Linear");
        if (bias) {
            lines.line(Quantity.PARAMS, "weights", times(in, out));
            lines.line(Quantity.PARAMS, "bias", out);
            lines.line(Quantity.PARAMS, "params", times(plus(in, num(1)), out));
        } else {
            lines.line(Quantity.PARAMS, "params", times(in, out));
        }
        lines.line(Quantity.MACS, "macs", times(r, in, out), "", "R = rows of X (its elements / C_in)");
        lines.line(Quantity.OPS, "ops", bias ? times(r, plus(in, num(1)), out) : times(r, in, out));
        return lines.build();
    }
}
