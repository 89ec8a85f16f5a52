package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Split along {@code axis} (PyTorch {@code split}/{@code chunk}): sizes from {@code split} (input since opset 13,
 * attribute before; the input wins), else equal parts for the declared outputs, the last one smaller when the size does
 * not divide ({@code num_outputs}, opset 18); values split when known; cost 0.
 */
public final class SplitRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "split?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        int axis = Axes.normalize(ctx, ctx.attrLong("axis", 0), input.rank());
        long dim = input.shape().dim(axis);
        long[] sizes;
        if (!ctx.valueName("split").isEmpty()) {
            sizes = Values.longs(ctx.inputData("split"));
        } else if (ctx.hasAttribute("split")) {
            sizes = ctx.attrLongs("split").get().stream().mapToLong(Long::longValue).toArray();
        } else {
            int parts = (int) ctx.attrLong("num_outputs", ctx.node().outputs().size());
            long each = Math.floorDiv(dim + parts - 1, parts);
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(each, dim - i * each));
            }
        }
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        if (total != dim || sizes.length < ctx.node().outputs().size()) {
            throw ctx.fail("the split sizes " + java.util.Arrays.toString(sizes) + " do not cover axis " + axis + " of size "
                    + dim + " in " + ctx.node().outputs().size() + " outputs");
        }
        List<TensorInfo> outputs = new ArrayList<>();
        long offset = 0;
        long[] strides = Values.strides(input.shape());
        for (long size : sizes) {
            long[] dims = input.shape().toArray();
            dims[axis] = size;
            Shape shape = Shape.of(dims);
            if (Values.known(input, shape)) {
                int[] index = Values.gatherIndex(shape, strides);
                for (int e = 0; e < index.length; e++) {
                    index[e] += (int) (offset * strides[axis]);
                }
                outputs.add(Values.take(input, shape, index));
            } else {
                outputs.add(TensorInfo.of(input.dtype(), shape));
            }
            offset += size;
        }
        return outputs;
    }
}
