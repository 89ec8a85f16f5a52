package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Optional;

/**
 * ONNX Resize (X, roi?, scales?, sizes?; opset 10's and Upsample's X, scales): {@code D' = sizes} or
 * {@code floor(D * scale)}; {@code macs = 0}; nearest costs 0 (data movement); an interpolation of t taps per resized
 * axis (linear t = 2, cubic t = 4) over d resized axes costs {@code numel(Y) * (2t - 1) * (t^d - 1)/(t - 1)}: t
 * multiplies and t - 1 adds per 1-D interpolation, done separably (docs/conventions.md).
 */
public final class ResizeRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "roi?", "scales?", "sizes?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        long[] dims = x.shape().toArray();
        int[] axes = axes(ctx, dims.length);
        Optional<ConstData> sizes = sizesBound(ctx).isPresent() ? Optional.empty() : data(ctx, "sizes");
        Optional<ConstData> scales = ctx.node().inputs().size() == 2
                // Resize-10 and Upsample-9 take (X, scales): the second input is the scales.
                ? data(ctx, "roi") : data(ctx, "scales");
        long[] out = dims.clone();
        Optional<long[]> upper = sizesBound(ctx);
        if (upper.isPresent()) {
            // Sizes computed from data values (a mask resized to its box) with bounds on those values: at the bound.
            check(ctx, "sizes", upper.get().length, axes.length);
            for (int i = 0; i < axes.length; i++) {
                out[axes[i]] = Math.max(0, upper.get()[i]);
            }
            ctx.bound("its sizes are computed from the data, at most " + java.util.Arrays.toString(upper.get())
                    + ", from the bounds of the values they are computed from");
            return List.of(x.withShape(Shape.of(out)).asDataDependent());
        }
        if (sizes.isPresent()) {
            check(ctx, "sizes", sizes.get().size(), axes.length);
            for (int i = 0; i < axes.length; i++) {
                out[axes[i]] = sizes.get().longAt(i);
            }
        } else if (scales.isPresent() || ctx.hasAttribute("scales")) {
            double[] factors = scales.isPresent() ? Values.doubles(scales.get())
                    : ctx.node().attribute("scales").map(a -> a instanceof dev.tally.ir.Attribute.Floats f
                    ? f.values().stream().mapToDouble(Double::doubleValue).toArray() : new double[0]).orElseThrow();
            check(ctx, "scales", factors.length, axes.length);
            for (int i = 0; i < axes.length; i++) {
                out[axes[i]] = (long) Math.floor(dims[axes[i]] * factors[i]);
            }
        } else {
            throw ctx.fail("neither input 'scales' nor input 'sizes' is given");
        }
        return List.of(x.withShape(Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        String mode = ctx.attrString("mode", "nearest");
        long taps = switch (mode) {
            case "nearest" -> 1;
            case "linear", "bilinear", "trilinear" -> 2;
            case "cubic", "bicubic" -> 4;
            default -> throw ctx.fail("attribute 'mode' is '" + mode + "', expected nearest, linear or cubic");
        };
        if (taps == 1) {
            return Cost.ZERO;
        }
        Shape in = ctx.input("X").shape();
        Shape out = ctx.output(0).shape();
        long interpolations = 0;
        long power = 1;
        for (int a = 0; a < in.rank(); a++) {
            if (in.dim(a) != out.dim(a)) {
                interpolations = Math.addExact(interpolations, power);
                power = Math.multiplyExact(power, taps);
            }
        }
        return Cost.ops(Math.multiplyExact(Math.multiplyExact(out.numel(), 2 * taps - 1), interpolations));
    }

    /** Upper bounds on sizes whose values the pass does not know (ONNX's sizes input only). */
    private static Optional<long[]> sizesBound(OpContext ctx) {
        Optional<TensorInfo> input = ctx.node().inputs().size() < 4 ? Optional.empty() : ctx.optionalInput("sizes");
        return input.isEmpty() || input.get().numel() == 0 ? Optional.empty() : ctx.inputUpperBounds("sizes");
    }

    private static Optional<ConstData> data(OpContext ctx, String name) {
        Optional<TensorInfo> input = ctx.optionalInput(name);
        // An empty tensor stands for an omitted input in Resize-11 and later.
        if (input.isEmpty() || input.get().numel() == 0) {
            return Optional.empty();
        }
        return Optional.of(ctx.inputData(name));
    }

    private static int[] axes(OpContext ctx, int rank) {
        Optional<List<Long>> axes = ctx.attrLongs("axes");
        if (axes.isEmpty()) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        return Axes.normalizeAll(ctx, axes.get().stream().mapToLong(Long::longValue).toArray(), rank);
    }

    private static void check(OpContext ctx, String name, int given, int expected) {
        if (given != expected) {
            throw ctx.fail("input '" + name + "' has " + given + " values, expected " + expected);
        }
    }

    /** {@code ops = numel(Y) x (2 x t - 1) x (1 + t + ... + t^(d-1))}; nearest {@code ops = 0}. */
    @Override
    public Derivation derive(OpContext ctx) {
        long taps = switch (ctx.attrString("mode", "nearest")) {
            case "linear", "bilinear", "trilinear" -> 2;
            case "cubic", "bicubic" -> 4;
            default -> 1;
        };
        Derivation.Builder lines = Derivation.of(ctx.node().opType());
        if (taps == 1) {
            return lines.line(Quantity.OPS, "ops", Expr.num(0), "", "nearest: data movement only").build();
        }
        Shape in = ctx.input("X").shape();
        Shape out = ctx.output(0).shape();
        java.util.List<Expr> interpolations = new java.util.ArrayList<>();
        Expr t = Expr.term("t", taps);
        for (int a = 0; a < in.rank(); a++) {
            if (in.dim(a) != out.dim(a)) {
                int i = interpolations.size();
                interpolations.add(i == 0 ? Expr.num(1) : i == 1 ? t : Expr.power(t, Expr.num(i)));
            }
        }
        Expr ops = Expr.times(Derive.numel(out), Expr.minus(Expr.times(Expr.num(2), t), Expr.num(1)), Expr.sum(interpolations));
        return lines.line(Quantity.OPS, "ops", ops, "", "t taps per 1-D interpolation, done separably over the resized axes").build();
    }
}
