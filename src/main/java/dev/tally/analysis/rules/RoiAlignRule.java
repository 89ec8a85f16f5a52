package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX RoiAlign: X {@code [N, C, H, W]}, rois {@code [R, 4]}, batch_indices {@code [R]} give
 * {@code [R, C, output_height, output_width]}. Each output averages (or takes the max of) a grid of bilinear samples:
 * {@code sampling_ratio} per axis, or when it is 0 {@code ceil(roi size / output size)}, which depends on the boxes and
 * is bounded by {@code ceil(H / output_height) x ceil(W / output_width)} for boxes inside the feature map.
 * {@code ops = numel(Y) x samples x 10}: 9 per bilinear sample (as Resize's bilinear) and 1 to accumulate it
 * (docs/conventions.md, "Data-dependent sizes").
 */
public final class RoiAlignRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("X", "rois", "batch_indices");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("X");
        TensorInfo rois = ctx.input("rois");
        TensorInfo indices = ctx.input("batch_indices");
        if (x.rank() != 4 || rois.rank() != 2 || rois.shape().dim(1) != 4 || indices.rank() != 1
                || indices.shape().dim(0) != rois.shape().dim(0)) {
            throw ctx.fail("inputs X " + x.shape() + ", rois " + rois.shape() + " and batch_indices " + indices.shape()
                    + " should be [N, C, H, W], [R, 4] and [R]");
        }
        if (ctx.attrLong("sampling_ratio", 0) == 0) {
            ctx.bound("with sampling_ratio 0 the samples per output depend on the box sizes; at most "
                    + samples(ctx, x) + " for boxes inside the " + x.shape().dim(2) + "x" + x.shape().dim(3) + " map");
        }
        return List.of(TensorInfo.of(x.dtype(), Shape.of(rois.shape().dim(0), x.shape().dim(1),
                ctx.attrLong("output_height", 1), ctx.attrLong("output_width", 1))));
    }

    @Override
    public Cost cost(OpContext ctx) {
        return Cost.ops(Math.multiplyExact(Math.multiplyExact(ctx.output(0).numel(), samples(ctx, ctx.input("X"))), 10));
    }

    private static long samples(OpContext ctx, TensorInfo x) {
        long ratio = ctx.attrLong("sampling_ratio", 0);
        if (ratio > 0) {
            return Math.multiplyExact(ratio, ratio);
        }
        long height = ctx.attrLong("output_height", 1);
        long width = ctx.attrLong("output_width", 1);
        if (height < 1 || width < 1) {
            throw ctx.fail("output_height " + height + " and output_width " + width + " should be at least 1");
        }
        return Math.multiplyExact(ceilDiv(x.shape().dim(2), height), ceilDiv(x.shape().dim(3), width));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
