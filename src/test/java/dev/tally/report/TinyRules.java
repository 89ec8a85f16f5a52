package dev.tally.report;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.RuleTable;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * Just enough rules for the report tests: 2-D Conv, Relu, MaxPool, Flatten and Gemm, costed as
 * docs/conventions.md says. The real rules live in dev.tally.analysis.rules and are tested there; these keep the
 * report tests independent of them, so a rule change cannot move a golden file.
 */
public final class TinyRules {
    private TinyRules() {
    }

    public static RuleTable table() {
        return new RuleTable()
                .add("Conv", new Conv())
                .add("Relu", new Relu())
                .add("MaxPool", new MaxPool())
                .add("Flatten", new Flatten())
                .add("Gemm", new Gemm())
                .ignore("Dropout", "Identity");
    }

    /** floor((size + pads - dilation*(k-1) - 1) / stride) + 1, for each of the two spatial axes. */
    private static Shape window(OpContext ctx, Shape x, long channels, long[] kernel) {
        List<Long> strides = ctx.attrLongs("strides", List.of(1L, 1L));
        List<Long> pads = ctx.attrLongs("pads", List.of(0L, 0L, 0L, 0L));
        long[] dims = {x.dim(0), channels, 0, 0};
        for (int axis = 0; axis < 2; axis++) {
            long size = x.dim(2 + axis) + pads.get(axis) + pads.get(2 + axis) - (kernel[axis] - 1) - 1;
            dims[2 + axis] = size / strides.get(axis) + 1;
        }
        return Shape.of(dims);
    }

    static final class Conv implements OpRule {
        @Override
        public List<String> inputs() {
            return List.of("X", "W", "B?");
        }

        @Override
        public List<TensorInfo> inferShapes(OpContext ctx) {
            Shape x = ctx.input("X").shape();
            Shape w = ctx.input("W").shape();
            return List.of(ctx.input("X").withShape(window(ctx, x, w.dim(0), new long[] {w.dim(2), w.dim(3)})));
        }

        @Override
        public Cost cost(OpContext ctx) {
            Shape w = ctx.input("W").shape();
            long perOutput = w.dim(1) * w.dim(2) * w.dim(3);
            long outputs = ctx.output(0).numel();
            long bias = ctx.optionalInput("B").isPresent() ? 1 : 0;
            return new Cost(outputs * perOutput, outputs * (perOutput + bias));
        }
    }

    static final class Relu implements OpRule {
        @Override
        public List<String> inputs() {
            return List.of("X");
        }

        @Override
        public List<TensorInfo> inferShapes(OpContext ctx) {
            return List.of(ctx.input("X").withShape(ctx.input("X").shape()));
        }

        @Override
        public Cost cost(OpContext ctx) {
            return Cost.ops(2 * ctx.output(0).numel());
        }
    }

    static final class MaxPool implements OpRule {
        @Override
        public List<String> inputs() {
            return List.of("X");
        }

        @Override
        public List<TensorInfo> inferShapes(OpContext ctx) {
            Shape x = ctx.input("X").shape();
            List<Long> kernel = ctx.attrLongs("kernel_shape").orElseThrow();
            return List.of(ctx.input("X").withShape(window(ctx, x, x.dim(1), new long[] {kernel.get(0), kernel.get(1)})));
        }

        @Override
        public Cost cost(OpContext ctx) {
            List<Long> kernel = ctx.attrLongs("kernel_shape").orElseThrow();
            return Cost.ops(ctx.output(0).numel() * (kernel.get(0) * kernel.get(1) - 1));
        }
    }

    static final class Flatten implements OpRule {
        @Override
        public List<String> inputs() {
            return List.of("input");
        }

        @Override
        public List<TensorInfo> inferShapes(OpContext ctx) {
            Shape x = ctx.input("input").shape();
            return List.of(ctx.input("input").withShape(Shape.of(x.dim(0), x.numel() / x.dim(0))));
        }
    }

    /** Y = A B^T + C with transB = 1, as PyTorch exports nn.Linear. */
    static final class Gemm implements OpRule {
        @Override
        public List<String> inputs() {
            return List.of("A", "B", "C?");
        }

        @Override
        public List<TensorInfo> inferShapes(OpContext ctx) {
            Shape a = ctx.input("A").shape();
            Shape b = ctx.input("B").shape();
            return List.of(ctx.input("A").withShape(Shape.of(a.dim(0), b.dim(0))));
        }

        @Override
        public Cost cost(OpContext ctx) {
            Shape a = ctx.input("A").shape();
            Shape b = ctx.input("B").shape();
            long bias = ctx.optionalInput("C").isPresent() ? 1 : 0;
            return new Cost(a.dim(0) * a.dim(1) * b.dim(0), a.dim(0) * b.dim(0) * (a.dim(1) + bias));
        }
    }
}
