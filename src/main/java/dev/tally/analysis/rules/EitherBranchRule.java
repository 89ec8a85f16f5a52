package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * The value of one name after an {@code if} whose condition depends on the data (TorchScript's
 * {@code if boxes.numel() == 0}, both branches followed): one of its two inputs, the then-branch's and the
 * else-branch's. For two of one type and rank its size is the larger of the two per axis; otherwise it is the input
 * {@code at_bound} names (0 or 1), the branch the condition takes when every size is at its bound, as ONNX's If with
 * a data-dependent condition does. Either way data-dependent. It computes nothing and makes no tensor (cost 0, no
 * activation: the value is one a branch made).
 */
public final class EitherBranchRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("then", "else");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo then = ctx.input("then");
        TensorInfo otherwise = ctx.input("else");
        if (then.dtype() != otherwise.dtype() || then.rank() != otherwise.rank()) {
            TensorInfo taken = ctx.attrLong("at_bound", 0) == 0 ? then : otherwise;
            ctx.bound("the branch taken depends on the data; the branches give " + then.shape() + " and " + otherwise.shape()
                    + ", and at the bounds the " + (taken == then ? "first" : "second") + " is taken");
            return List.of(TensorInfo.of(taken.dtype(), taken.shape()).asDataDependent());
        }
        long[] dims = new long[then.rank()];
        for (int axis = 0; axis < dims.length; axis++) {
            dims[axis] = Math.max(then.shape().dim(axis), otherwise.shape().dim(axis));
        }
        Shape shape = Shape.of(dims);
        ctx.bound("the branch taken depends on the data, so the size is the larger of the two branches' per axis, " + shape);
        return List.of(TensorInfo.of(then.dtype(), shape).asDataDependent());
    }
}
