package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/** ONNX Tile: {@code D'_i = D_i * repeats_i} (repeats 1-D, one per axis); values tiled when small; cost 0 (data movement). */
public final class TileRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "repeats");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        // The spec's repeats are 1-D. torch.onnx writes a 2-D one when its shape inference is off and it takes
        // tensor_split's sections branch for a list of indices (mvit_v2_s): a wrong graph, refused here at its cause.
        if (ctx.input("repeats").rank() != 1) {
            throw ctx.fail("input 'repeats' has shape " + ctx.input("repeats").shape() + ", expected a 1-D list of "
                    + input.rank() + " counts");
        }
        long[] repeats = Values.longs(ctx.inputData("repeats"));
        if (repeats.length != input.rank()) {
            throw ctx.fail("input 'repeats' has " + repeats.length + " values, expected " + input.rank());
        }
        long[] in = input.shape().toArray();
        long[] out = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = Math.multiplyExact(in[i], repeats[i]);
        }
        Shape shape = Shape.of(out);
        if (!Values.known(input, shape)) {
            return List.of(TensorInfo.of(input.dtype(), shape));
        }
        long[] strides = Values.strides(input.shape());
        int[] index = new int[(int) shape.numel()];
        long[] outStrides = Values.strides(shape);
        for (int e = 0; e < index.length; e++) {
            long rest = e;
            long flat = 0;
            for (int a = 0; a < out.length; a++) {
                long coordinate = rest / outStrides[a];
                rest %= outStrides[a];
                flat += (coordinate % in[a]) * strides[a];
            }
            index[e] = (int) flat;
        }
        return List.of(Values.take(input, shape, index));
    }
}
