package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
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
}
