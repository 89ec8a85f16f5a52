package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.minus;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * ONNX Softmax / LogSoftmax along {@code axis} (default -1, opset 13): Y has X's shape; with {@code r} rows of
 * {@code n} elements, {@code macs = 0}; Softmax {@code ops = 3*numel(Y) - r} (an exp and a divide per element,
 * n - 1 adds per row); LogSoftmax {@code ops = 3*numel(Y)} (an exp and a subtract per element, n - 1 adds and a log
 * per row). The max subtracted for numerical stability is an implementation detail, not counted (docs/conventions.md).
 */
public final class SoftmaxRule implements OpRule {
    private final boolean log;

    private SoftmaxRule(boolean log) {
        this.log = log;
    }

    public static SoftmaxRule softmax() {
        return new SoftmaxRule(false);
    }

    public static SoftmaxRule logSoftmax() {
        return new SoftmaxRule(true);
    }

    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        Axes.normalize(ctx, ctx.attrLong("axis", -1), Math.max(1, x.rank()));
        return List.of(x.withShape(x.shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        long numel = x.numel();
        long n = x.rank() == 0 ? 1 : x.shape().dim(Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank()));
        long rows = n == 0 ? 0 : numel / n;
        long ops = Math.multiplyExact(3, numel);
        return Cost.ops(log ? ops : ops - rows);
    }

    /** Softmax {@code ops = 3 x numel(Y) - R}, LogSoftmax {@code 3 x numel(Y)}, R the rows along the axis. */
    @Override
    public Derivation derive(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        long n = x.rank() == 0 ? 1 : x.shape().dim(Axes.normalize(ctx, ctx.attrLong("axis", -1), x.rank()));
        Expr ops = times(num(3), Derive.numel(x.shape()));
        if (!log) {
            ops = minus(ops, term("R", n == 0 ? 0 : x.numel() / n));
        }
        return Derivation.of(log ? "LogSoftmax" : "Softmax")
                .line(Quantity.OPS, "ops", ops, "", log ? "exp and subtract per element, adds and a log per row"
                        : "exp and divide per element, n - 1 adds per row of R rows").build();
    }
}
