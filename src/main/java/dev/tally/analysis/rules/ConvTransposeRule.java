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
 * ONNX ConvTranspose: {@code D' = s*(D-1) + output_padding + d*(k-1) + 1 - pb - pe} (or {@code output_shape});
 * W is {@code Cin x Cout/g x k...}; {@code macs = numel(X) * (Cout/g) * prod(k)}, {@code ops = macs + b*numel(Y)}.
 */
public final class ConvTransposeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "W", "B?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long[] w = ctx.input("W").shape().toArray();
        if (w.length < 3 || w.length != x.rank()) {
            throw ctx.fail("input 'W' has rank " + w.length + ", expected " + x.rank() + " (Cin x Cout/group x kernel)");
        }
        long[] xd = x.shape().toArray();
        long group = ctx.attrLong("group", 1);
        if (group < 1 || xd[1] != w[0] || w[0] % group != 0) {
            throw ctx.fail("input 'X' has " + xd[1] + " channels but input 'W' is " + Shape.of(w) + " with group " + group);
        }
        int n = w.length - 2;
        long[] kernel = Windows.spatial(w);
        long[] strides = Windows.perAxis(ctx, "strides", n, 1);
        long[] dilations = Windows.perAxis(ctx, "dilations", n, 1);
        long[] outputPadding = Windows.perAxis(ctx, "output_padding", n, 0);
        List<Long> pads = ctx.attrLongs("pads", List.of());
        long[] outputShape = Windows.perAxis(ctx, "output_shape", n, -1);
        long[] out = new long[xd.length];
        out[0] = xd[0];
        out[1] = Math.multiplyExact(w[1], group);
        for (int i = 0; i < n; i++) {
            long full = strides[i] * (xd[i + 2] - 1) + outputPadding[i] + dilations[i] * (kernel[i] - 1) + 1;
            if (outputShape[0] != -1) {
                out[i + 2] = outputShape[i];
            } else if (ctx.attrString("auto_pad", "NOTSET").startsWith("SAME")) {
                out[i + 2] = xd[i + 2] * strides[i];
            } else {
                long padded = pads.isEmpty() ? 0 : pads.get(i) + pads.get(i + n);
                out[i + 2] = full - padded;
            }
            if (out[i + 2] < 1) {
                throw ctx.fail("spatial axis " + i + " would have size " + out[i + 2] + "; check 'pads' and 'strides'");
            }
        }
        return List.of(TensorInfo.of(x.dtype(), Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        long[] w = ctx.input("W").shape().toArray();
        long perInput = 1;
        for (int i = 1; i < w.length; i++) {
            perInput = Math.multiplyExact(perInput, w[i]);
        }
        long macs = Math.multiplyExact(ctx.input("X").numel(), perInput);
        long bias = ctx.optionalInput("B").isPresent() ? ctx.output(0).numel() : 0;
        return new Cost(macs, Math.addExact(macs, bias));
    }

    /**
     * {@code macs = N x C_in x H x W x C_out/g x K_h x K_w} (every input element meets the whole kernel),
     * {@code ops = macs + N x C_out x H_out x W_out} with a bias; sizes only for explicit pads without output_shape.
     */
    @Override
    public Derivation derive(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long[] w = ctx.input("W").shape().toArray();
        Shape y = ctx.output(0).shape();
        Derivation.Builder lines = Derivation.of("ConvTranspose");
        int n = w.length - 2;
        String[] axes = Derive.axisNames(n);
        List<Long> pads = ctx.attrLongs("pads", List.of());
        boolean plain = !ctx.hasAttribute("output_shape") && ctx.attrString("auto_pad", "NOTSET").equals("NOTSET");
        if (plain) {
            long[] strides = Windows.perAxis(ctx, "strides", n, 1);
            long[] dilations = Windows.perAxis(ctx, "dilations", n, 1);
            long[] outputPadding = Windows.perAxis(ctx, "output_padding", n, 0);
            for (int i = 0; i < n; i++) {
                String sub = "_" + axes[i].toLowerCase(java.util.Locale.ROOT);
                long begin = pads.isEmpty() ? 0 : pads.get(i);
                long end = pads.isEmpty() ? 0 : pads.get(i + n);
                Expr size = plus(times(term("S" + sub, strides[i]), Expr.minus(term(axes[i], x.shape().dim(i + 2)), num(1))),
                        term("OP" + sub, outputPadding[i]),
                        times(term("D" + sub, dilations[i]), Expr.minus(term("K" + sub, w[i + 2]), num(1))), num(1));
                size = Expr.minus(Expr.minus(size, term("P" + sub + "b", begin)), term("P" + sub + "e", end));
                lines.line(Quantity.SIZE, axes[i] + "_out", size);
            }
        }
        List<Expr> kernel = new ArrayList<>(List.of(term("C_in", w[0]), term("C_out/g", w[1])));
        kernel.addAll(Derive.kernelTerms(Windows.spatial(w)));
        Expr weights = product(kernel);
        boolean bias = ctx.optionalInput("B").isPresent();
        Expr cout = term("C_out", y.dim(1));
        if (bias) {
            lines.line(Quantity.PARAMS, "weights", weights);
            lines.line(Quantity.PARAMS, "bias", cout);
            lines.line(Quantity.PARAMS, "params", plus(weights, cout));
        } else {
            lines.line(Quantity.PARAMS, "params", weights);
        }
        List<Expr> macs = new ArrayList<>(Derive.dims(x.shape(), ""));
        macs.addAll(kernel.subList(1, kernel.size()));
        Expr macsExpr = product(macs);
        lines.line(Quantity.MACS, "macs", macsExpr);
        lines.line(Quantity.OPS, "ops", bias ? plus(macsExpr, product(Derive.dims(y, "_out"))) : macsExpr);
        return lines.build();
    }
}
