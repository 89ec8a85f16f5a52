package dev.tally.analysis.rules;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * Group normalisation (ONNX GroupNormalization, opset 18; PyTorch {@code group_norm} as TorchScript calls it): the
 * C channels of X split into {@code num_groups} groups, each (n, group) block of {@code m} elements normalised, then
 * scaled and shifted per channel; Y has X's shape; {@code macs = 0},
 * {@code ops = N*G * (5m + 2) + 2 * numel(Y) + numel(Y) * (s + b)}. The middle term is the identity scale and shift
 * of the InstanceNormalization torch.onnx writes group_norm as (Reshape to N x G x -1, InstanceNormalization with
 * scale 1 and bias 0 per group, Reshape back, Mul by the weight, Add the bias), so both forms of a model count the
 * same (docs/conventions.md).
 */
public final class GroupNormalizationRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "scale?", "bias?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        if (x.rank() < 2) {
            throw ctx.fail("input 'X' has rank " + x.rank() + ", expected 2 or more (N x C x ...)");
        }
        long channels = x.shape().dim(1);
        long groups = groups(ctx, x.shape());
        for (String name : List.of("scale", "bias")) {
            if (ctx.optionalInput(name).isPresent()) {
                Shape s = ctx.input(name).shape();
                // PyTorch's weight and ONNX opset 21's scale have one entry per channel; opset 18's one per group.
                if (s.rank() != 1 || s.dim(0) != channels && s.dim(0) != groups) {
                    throw ctx.fail("input '" + name + "' has shape " + s + ", expected " + channels + " (the channels of 'X')");
                }
            }
        }
        return List.of(x.withShape(x.shape()));
    }

    private static long groups(OpContext ctx, Shape x) {
        long groups = ctx.attrLong("num_groups", 1);
        if (groups <= 0 || x.dim(1) % groups != 0) {
            throw ctx.fail("num_groups " + groups + " does not divide the " + x.dim(1) + " channels of 'X'");
        }
        return groups;
    }

    private static long affine(OpContext ctx) {
        return (ctx.optionalInput("scale").isPresent() ? 1 : 0) + (ctx.optionalInput("bias").isPresent() ? 1 : 0);
    }

    @Override
    public Cost cost(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        long rows = Math.multiplyExact(x.dim(0), groups(ctx, x));
        long m = rows == 0 ? 0 : x.numel() / rows;
        long scaleAndShift = Math.multiplyExact(2 + affine(ctx), x.numel());
        return Cost.ops(Normalization.ops(rows, m, scaleAndShift));
    }

    /** {@code ops = N x G x (5 x m + 2) + (2 + a) x numel(Y)}: m the elements of a group, a the affine inputs present. */
    @Override
    public Derivation derive(OpContext ctx) {
        Shape x = ctx.input("X").shape();
        long groups = groups(ctx, x);
        long rows = Math.multiplyExact(x.dim(0), groups);
        Expr m = term("m", rows == 0 ? 0 : x.numel() / rows);
        long affine = affine(ctx);
        Expr ops = plus(times(term("N", x.dim(0)), term("G", groups), plus(times(num(5), m), num(2))),
                times(num(2 + affine), Derive.numel(x)));
        Derivation.Builder lines = Derivation.of("GroupNormalization");
        if (affine > 0) {
            lines.line(Quantity.PARAMS, "params", times(num(affine), term("C", x.dim(1))), "", "scale and shift per channel");
        }
        return lines.line(Quantity.OPS, "ops", ops, "",
                "per group mean, variance, normalise; the export's identity scale and shift; then scale and shift").build();
    }
}
