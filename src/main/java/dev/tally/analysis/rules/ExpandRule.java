package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Expand: the broadcast of {@code input}'s shape and the {@code shape} input's values (a 1 there keeps the input's
 * size); values broadcast when small; cost 0 (data movement).
 */
public final class ExpandRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "shape");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        Shape out = Broadcast.shape(input.shape(), Shape.of(Values.longs(ctx.inputData("shape"))));
        if (!Values.known(input, out)) {
            return List.of(TensorInfo.of(input.dtype(), out));
        }
        return List.of(Values.take(input, out, Values.gatherIndex(out, Broadcast.stridesInto(input.shape(), out))));
    }
}
