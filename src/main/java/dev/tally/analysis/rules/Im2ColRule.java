package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * Im2Col, TorchScript's {@code im2col} ({@code F.unfold}): X {@code [N, C, H, W]} (or {@code [C, H, W]}) with Conv's
 * {@code kernel_shape}, {@code strides}, {@code dilations} and {@code pads}; Y {@code [N, C * kh * kw, L]}, L the
 * number of window positions (Conv's output size per axis, multiplied). Cost 0: the input's elements copied into
 * columns, data movement, as the ONNX export (Pad, Gather, Reshape) and the aten-level counter have it; the product
 * that usually follows is counted where it is (RAFT's convex upsampling multiplies the columns by softmax weights).
 */
public final class Im2ColRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        long[] kernel = Windows.perAxis(ctx, "kernel_shape", 2, 1);
        if (x.rank() != 3 && x.rank() != 4 || !ctx.hasAttribute("kernel_shape")) {
            throw ctx.fail("input 'input' has rank " + x.rank() + ", expected 3 or 4 (C x H x W, batched or not) with a"
                    + " two-axis 'kernel_shape'");
        }
        long[] dims = x.shape().toArray();
        boolean batched = x.rank() == 4;
        long[] spatial = java.util.Arrays.copyOfRange(dims, dims.length - 2, dims.length);
        Windows.Geometry geometry = Windows.resolve(ctx, spatial, kernel);
        long positions = 1;
        for (long size : geometry.outputSizes(ctx, spatial)) {
            positions = Math.multiplyExact(positions, size);
        }
        long columns = Math.multiplyExact(dims[dims.length - 3], Math.multiplyExact(kernel[0], kernel[1]));
        Shape out = batched ? Shape.of(dims[0], columns, positions) : Shape.of(columns, positions);
        return List.of(x.withShape(out));
    }
}
