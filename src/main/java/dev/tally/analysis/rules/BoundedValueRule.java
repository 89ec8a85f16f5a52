package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * BoundedValue, TorchScript's {@code item()} or {@code int()} of a one-element integer tensor whose values Tally knows
 * only by a bound the user states ({@code --input lengths=1:int64:max100}; Conformer's {@code max(lengths).item()}):
 * a 0-d tensor of the input's type holding {@code max}, marked data-dependent, so every size made from it is at that
 * bound (docs/conventions.md, "Data-dependent sizes"). {@code of} names the input whose values are bounded. Cost 0.
 */
public final class BoundedValueRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (x.numel() != 1 || !x.dtype().isIntegral()) {
            throw ctx.fail("input 'input' is " + x.dtype().displayName() + x.shape() + ", expected one integer");
        }
        long max = ctx.attrLong("max");
        ctx.bound(ctx.attrLong("values", 0) == 1
                ? "at most " + max + ", the upper bound of the values of '" + ctx.attrString("of", "?") + "' (docs/conventions.md, \"Value bounds\")"
                : "at most " + max + ", the bound --input gives for the values of '" + ctx.attrString("of", "?") + "'");
        return List.of(Values.of(x.dtype(), Shape.scalar(), new double[] {max}).asDataDependent());
    }
}
