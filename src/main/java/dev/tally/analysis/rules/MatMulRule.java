package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.product;
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
import java.util.Arrays;
import java.util.List;

/**
 * ONNX MatMul (numpy matmul: batch dims broadcast; a 1-D A gains and loses a leading 1, a 1-D B a trailing 1):
 * {@code macs = ops = numel(Y) * K}, K the contracted size (docs/conventions.md, MatMul).
 */
public final class MatMulRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("A", "B");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        Shape a = ctx.input("A").shape();
        Shape b = ctx.input("B").shape();
        if (a.rank() == 0 || b.rank() == 0) {
            throw ctx.fail("input '" + (a.rank() == 0 ? "A" : "B") + "' is a scalar, expected rank 1 or more");
        }
        long[] ad = a.rank() == 1 ? new long[] {1, a.dim(0)} : a.toArray();
        long[] bd = b.rank() == 1 ? new long[] {b.dim(0), 1} : b.toArray();
        long k = ad[ad.length - 1];
        if (k != bd[bd.length - 2]) {
            throw ctx.fail("inputs 'A' (" + a + ") and 'B' (" + b + ") have inner sizes " + k + " and " + bd[bd.length - 2]);
        }
        Shape batch = Broadcast.shape(Shape.of(Arrays.copyOf(ad, ad.length - 2)), Shape.of(Arrays.copyOf(bd, bd.length - 2)));
        long[] out = Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        out[batch.rank()] = ad[ad.length - 2];
        out[batch.rank() + 1] = bd[bd.length - 1];
        int drop = (a.rank() == 1 ? 1 : 0) + (b.rank() == 1 ? 1 : 0);
        long[] y = a.rank() == 1 && b.rank() == 1 ? new long[0]
                : a.rank() == 1 ? remove(out, out.length - 2)
                : b.rank() == 1 ? Arrays.copyOf(out, out.length - drop) : out;
        return List.of(TensorInfo.of(ctx.input("A").dtype(), Shape.of(y)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long k = ctx.input("A").shape().dim(-1);
        long macs = Math.multiplyExact(ctx.output(0).numel(), k);
        return new Cost(macs, macs);
    }

    /** {@code macs = ops = numel(Y) x K}. */
    @Override
    public Derivation derive(OpContext ctx) {
        Expr count = times(Expr.product(Derive.dims(ctx.output(0).shape(), "")), term("K", ctx.input("A").shape().dim(-1)));
        return Derivation.of("MatMul").line(Quantity.MACS, "macs", count).line(Quantity.OPS, "ops", count).build();
    }

    private static long[] remove(long[] dims, int index) {
        long[] result = new long[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != index) {
                result[j++] = dims[i];
            }
        }
        return result;
    }
}
