package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/** ONNX Size: the input's element count as a known int64 scalar; cost 0. */
public final class SizeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        return List.of(TensorInfo.constant(DType.INT64, Shape.scalar(), ConstData.ofInts(ctx.input("data").numel())));
    }
}
