package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * PadPackedSequence, PyTorch's {@code _pad_packed_sequence(data, batch_sizes, batch_first, padding_value,
 * total_length)} (what {@code nn.utils.rnn.pad_packed_sequence} runs): packed {@code data [rows, *]} back to
 * {@code [T, N, *]} ({@code [N, T, *]} with {@code batch_first}) and the lengths {@code [N]} int64. T is
 * {@code total_length} when the code gives one (attribute, or the optional input when it is a size known by its bound),
 * else the number of batch sizes, max(lengths); N is the first batch size (every row runs at least one step), or the
 * rows over T at the bound. Cost 0: a copy into zeros.
 */
public final class PadPackedSequenceRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("data", "batch_sizes", "total_length?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo data = ctx.input("data");
        TensorInfo sizes = ctx.input("batch_sizes");
        if (sizes.rank() != 1 || data.rank() < 1) {
            throw ctx.fail("inputs 'data' " + data.shape() + " and 'batch_sizes' " + sizes.shape()
                    + " are not a packed sequence, expected [rows, ...] and [steps]");
        }
        long steps = sizes.shape().dim(0);
        long length = ctx.hasAttribute("total_length") ? ctx.attrLong("total_length")
                : ctx.optionalInputData("total_length").map(d -> d.longAt(0)).orElse(steps);
        if (length < steps) {
            throw ctx.fail("total_length " + length + " is less than the " + steps + " steps of the longest row");
        }
        long rows = sizes.data().map(d -> d.longAt(0)).orElseGet(() -> steps == 0 ? 0 : data.shape().dim(0) / steps);
        List<Long> dims = new ArrayList<>(ctx.attrLong("batch_first", 0) != 0 ? List.of(rows, length) : List.of(length, rows));
        dims.addAll(data.shape().dims().subList(1, data.rank()));
        return List.of(data.withShape(new Shape(dims)), TensorInfo.of(DType.INT64, Shape.of(rows)));
    }
}
