package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX EyeLike, TorchScript's {@code eye(n, m)} (a ConstantOfShape {@code [n, m]} then EyeLike, as torch.onnx writes
 * it): Y has the 2-D input's shape and {@code dtype} (an ONNX type code; the input's type when absent), ones on the
 * diagonal shifted by {@code k}, zeros elsewhere; values kept when small. Cost 0, a constant.
 */
public final class EyeLikeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (x.rank() != 2) {
            throw ctx.fail("input 'input' has shape " + x.shape() + ", expected rank 2");
        }
        dev.tally.ir.DType dtype = ctx.hasAttribute("dtype") ? CastRule.dtypeOf(ctx, "dtype", ctx.attrLong("dtype")) : x.dtype();
        if (!Values.small(x.shape())) {
            return List.of(TensorInfo.of(dtype, x.shape()));
        }
        long rows = x.shape().dim(0);
        long columns = x.shape().dim(1);
        long k = ctx.attrLong("k", 0);
        double[] values = new double[(int) x.numel()];
        for (long r = 0; r < rows; r++) {
            long c = r + k;
            if (c >= 0 && c < columns) {
                values[(int) (r * columns + c)] = 1;
            }
        }
        return List.of(Values.of(dtype, x.shape(), values));
    }
}
