package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
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
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Conv (1-D, 2-D, 3-D; grouped, depthwise, dilated): {@code Y[n, Cout, D'...]} with
 * {@code D' = floor((D + pb + pe - d*(k-1) - 1)/s) + 1}; {@code macs = numel(Y) * (Cin/g) * prod(k)},
 * {@code ops = numel(Y) * ((Cin/g) * prod(k) + b)}, {@code b = 1} with a bias (docs/conventions.md).
 */
public final class ConvRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "W", "B?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long[] w = weight(ctx);
        if (x.rank() != w.length) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected " + w.length + " to match input 'W' ("
                    + Shape.of(w) + ")");
        }
        long[] xd = x.shape().toArray();
        long group = ctx.attrLong("group", 1);
        if (group < 1 || xd[1] % group != 0 || w[0] % group != 0 || xd[1] / group != w[1]) {
            throw ctx.fail("input 'X' has " + xd[1] + " channels and input 'W' is " + Shape.of(w) + " with group "
                    + group + "; expected W's second dim to be channels / group");
        }
        ctx.optionalInput("B").ifPresent(b -> {
            if (b.rank() != 1 || b.shape().dim(0) != w[0]) {
                throw ctx.fail("input 'B' has shape " + b.shape() + ", expected " + w[0]);
            }
        });
        Windows.Geometry geometry = Windows.resolve(ctx, Windows.spatial(xd), kernel(ctx, w));
        long[] spatial = geometry.outputSizes(ctx, Windows.spatial(xd));
        long[] out = new long[xd.length];
        out[0] = xd[0];
        out[1] = w[0];
        System.arraycopy(spatial, 0, out, 2, spatial.length);
        return List.of(TensorInfo.of(x.dtype(), Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long[] w = ctx.input("W").shape().toArray();
        long perOutput = 1;
        for (int i = 1; i < w.length; i++) {
            perOutput = Math.multiplyExact(perOutput, w[i]);
        }
        long outputs = ctx.output(0).numel();
        long macs = Math.multiplyExact(outputs, perOutput);
        long bias = ctx.optionalInput("B").isPresent() ? 1 : 0;
        return new Cost(macs, Math.multiplyExact(outputs, perOutput + bias));
    }

    /**
     * The worksheet's lines: output sizes, {@code params = (K_h x K_w x C_in/g + 1) x C_out}, and
     * {@code ops = N x C_out x (K_h x K_w x C_in/g + 1) x H_out x W_out} (no {@code + 1} without a bias).
     */
    @Override
    public Derivation derive(OpContext ctx) {
        long[] w = ctx.input("W").shape().toArray();
        long[] xd = ctx.input("X").shape().toArray();
        Derivation.Builder lines = Derivation.of("Conv");
        Windows.Geometry geometry = Windows.resolve(ctx, Windows.spatial(xd), kernel(ctx, w));
        List<Expr> sizes = Derive.outputSizes(ctx, geometry, Windows.spatial(xd), lines);
        List<Expr> window = new ArrayList<>(Derive.kernelTerms(Windows.spatial(w)));
        window.add(term("C_in/g", w[1]));
        Expr perOutput = product(window);
        Expr cout = term("C_out", w[0]);
        boolean bias = ctx.optionalInput("B").isPresent();
        if (bias) {
            lines.line(Quantity.PARAMS, "weights", times(perOutput, cout));
            lines.line(Quantity.PARAMS, "bias", cout);
            lines.line(Quantity.PARAMS, "params", times(plus(perOutput, num(1)), cout));
        } else {
            lines.line(Quantity.PARAMS, "params", times(perOutput, cout));
        }
        Expr batch = term("N", xd[0]);
        List<Expr> macs = new ArrayList<>(List.of(batch, cout));
        macs.addAll(sizes);
        macs.add(perOutput);
        lines.line(Quantity.MACS, "macs", product(macs));
        List<Expr> ops = new ArrayList<>(List.of(batch, cout, bias ? plus(perOutput, num(1)) : perOutput));
        ops.addAll(sizes);
        lines.line(Quantity.OPS, "ops", product(ops));
        return lines.build();
    }

    private static long[] weight(OpContext ctx) {
        TensorInfo w = ctx.input("W");
        if (w.rank() < 3) {
            throw ctx.fail("input 'W' has rank " + w.rank() + ", expected 3 to 5 (Cout x Cin/group x kernel)");
        }
        return w.shape().toArray();
    }

    /** {@code kernel_shape} when given (it must agree with W), else W's spatial dims. */
    private static long[] kernel(OpContext ctx, long[] w) {
        long[] fromWeight = Windows.spatial(w);
        long[] declared = Windows.perAxis(ctx, "kernel_shape", fromWeight.length, -1);
        if (declared[0] != -1 && !java.util.Arrays.equals(declared, fromWeight)) {
            throw ctx.fail("attribute 'kernel_shape' is " + Shape.of(declared) + " but input 'W' has kernel "
                    + Shape.of(fromWeight));
        }
        return fromWeight;
    }
}
