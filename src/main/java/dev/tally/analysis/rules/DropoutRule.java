package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import java.util.List;

/**
 * ONNX Dropout in inference mode: output 0 is the input (values too), the optional mask output a bool tensor of the
 * same shape; cost 0 (docs/conventions.md).
 */
public final class DropoutRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "ratio?", "training_mode?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        return List.of(data, TensorInfo.of(DType.BOOL, data.shape()));
    }
}
