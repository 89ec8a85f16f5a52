package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX Where: {@code Y = condition ? X : Y}, the broadcast shape of the three; {@code macs = 0},
 * {@code ops = numel(Y)} (one selection per element); values computed when all three are known.
 */
public final class WhereRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("condition", "X", "Y");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo condition = ctx.input("condition");
        TensorInfo x = ctx.input("X");
        TensorInfo y = ctx.input("Y");
        Shape out = Broadcast.shape(List.of(condition.shape(), x.shape(), y.shape()));
        if (!Values.known(List.of(condition, x, y), out)) {
            return List.of(TensorInfo.of(x.dtype(), out));
        }
        int[] c = Values.gatherIndex(out, Broadcast.stridesInto(condition.shape(), out));
        int[] xi = Values.gatherIndex(out, Broadcast.stridesInto(x.shape(), out));
        int[] yi = Values.gatherIndex(out, Broadcast.stridesInto(y.shape(), out));
        double[] values = new double[c.length];
        for (int e = 0; e < c.length; e++) {
            values[e] = condition.data().get().doubleAt(c[e]) != 0 ? x.data().get().doubleAt(xi[e]) : y.data().get().doubleAt(yi[e]);
        }
        return List.of(Values.of(x.dtype(), out, values));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(ctx.output(0).numel());
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return Derive.perElement("Where", 1, ctx.output(0).shape(), "one selection per element");
    }
}
