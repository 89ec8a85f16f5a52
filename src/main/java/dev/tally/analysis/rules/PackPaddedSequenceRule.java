package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * PackPaddedSequence, PyTorch's {@code _pack_padded_sequence(input, lengths, batch_first)} (what
 * {@code nn.utils.rnn.pack_padded_sequence} runs): input {@code [T, N, *]} ({@code [N, T, *]} with {@code batch_first}),
 * lengths {@code [N]}. Outputs {@code data [sum(lengths), *]}, the rows' steps one after the other, and
 * {@code batch_sizes [max(lengths)]} int64, how many rows run at each step. Both sizes come from the lengths' values:
 * every row runs at most the padded length T (PyTorch refuses a longer one), so they are given their bound,
 * {@code data [N*T, *]} and {@code batch_sizes [T]} with every value N, and marked data-dependent
 * (docs/conventions.md, "Data-dependent sizes"). Cost 0: a copy.
 */
public final class PackPaddedSequenceRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "lengths");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        TensorInfo lengths = ctx.input("lengths");
        boolean batchFirst = ctx.attrLong("batch_first", 0) != 0;
        if (x.rank() < 2) {
            throw ctx.fail("input 'input' has shape " + x.shape() + ", expected at least [T, N]");
        }
        long steps = x.shape().dim(batchFirst ? 1 : 0);
        long rows = x.shape().dim(batchFirst ? 0 : 1);
        if (lengths.rank() != 1 || lengths.shape().dim(0) != rows) {
            throw ctx.fail("input 'lengths' has shape " + lengths.shape() + ", expected [" + rows + "], one length per row");
        }
        List<Long> dims = new ArrayList<>();
        dims.add(Math.multiplyExact(steps, rows));
        dims.addAll(x.shape().dims().subList(2, x.rank()));
        ctx.bound("every one of the " + rows + " rows runs at most " + steps + " steps, the padded length: at most " + dims.get(0)
                + " packed rows and " + steps + " batch sizes");
        Shape sizes = Shape.of(steps);
        TensorInfo batchSizes;
        if (Values.small(sizes)) {
            double[] values = new double[(int) steps];
            java.util.Arrays.fill(values, rows);
            batchSizes = Values.of(DType.INT64, sizes, values);
        } else {
            batchSizes = TensorInfo.of(DType.INT64, sizes);
        }
        return List.of(x.withShape(new Shape(dims)).asDataDependent(), batchSizes.asDataDependent());
    }
}
