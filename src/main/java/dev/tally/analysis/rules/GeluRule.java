package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * Gelu (ONNX opset 20, and the IR op the TorchScript loader emits; attr {@code approximate} "none" | "tanh"):
 * Y has X's shape; {@code macs = 0}; counted as the elementwise chain PyTorch exports for it at opsets 13-17, one op
 * per element per step, so both formats agree: "none" {@code x * 0.5 * (1 + erf(x / sqrt 2))} is
 * {@code 5 * numel(Y)} (Div, Erf, Add, Mul, Mul), "tanh" {@code 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))} is
 * {@code 8 * numel(Y)} (Pow, Mul, Add, Mul, Tanh, Add, Mul, Mul).
 */
public final class GeluRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        steps(ctx);
        TensorInfo x = ctx.input("X");
        return List.of(x.withShape(x.shape()));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(Math.multiplyExact(steps(ctx), ctx.output(0).numel()));
    }

    private static long steps(OpContext ctx) {
        String approximate = ctx.attrString("approximate", "none");
        return switch (approximate) {
            case "none" -> 5;
            case "tanh" -> 8;
            default -> throw ctx.fail("attribute 'approximate' is '" + approximate + "', expected 'none' or 'tanh'");
        };
    }

    @Override
    public Derivation derive(OpContext ctx) {
        return Derive.perElement("Gelu", steps(ctx), ctx.output(0).shape(), "the steps of the exported elementwise chain");
    }
}
