package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ONNX Squeeze: removes the size-1 dims at {@code axes} (input since opset 13, attribute before; the input wins), or
 * every size-1 dim when none are given; values carried; cost 0.
 */
public final class SqueezeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "axes?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        Shape shape = data.shape();
        boolean[] removed = new boolean[shape.rank()];
        Optional<long[]> axes = Axes.of(ctx);
        if (axes.isPresent()) {
            for (int axis : Axes.normalizeAll(ctx, axes.get(), shape.rank())) {
                if (shape.dim(axis) != 1) {
                    throw ctx.fail("axis " + axis + " has size " + shape.dim(axis) + " in " + shape + ", expected 1 to squeeze it");
                }
                removed[axis] = true;
            }
        } else {
            for (int a = 0; a < shape.rank(); a++) {
                removed[a] = shape.dim(a) == 1;
            }
        }
        List<Long> out = new ArrayList<>();
        for (int a = 0; a < shape.rank(); a++) {
            if (!removed[a]) {
                out.add(shape.dim(a));
            }
        }
        return List.of(Values.reshaped(data, data.dtype(), new Shape(out)));
    }
}
