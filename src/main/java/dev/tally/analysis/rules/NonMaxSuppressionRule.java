package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * ONNX NonMaxSuppression: int64 {@code [n, 3]} (batch, class, box) of the boxes kept. n depends on the data; its bound
 * is {@code B x C x min(max_output_boxes_per_class, S)} for boxes {@code [B, S, 4]} and scores {@code [B, C, S]}
 * (S in place of the maximum when the graph computes it from data; none kept when the input is omitted, as the spec
 * says). {@code ops = B x C x S(S - 1)/2}: at most one overlap test per pair of boxes per class, each counted as one
 * op (docs/conventions.md, "Data-dependent sizes").
 */
public final class NonMaxSuppressionRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("boxes", "scores", "max_output_boxes_per_class?", "iou_threshold?", "score_threshold?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo boxes = ctx.input("boxes");
        TensorInfo scores = ctx.input("scores");
        if (boxes.rank() != 3 || boxes.shape().dim(2) != 4 || scores.rank() != 3
                || scores.shape().dim(0) != boxes.shape().dim(0) || scores.shape().dim(2) != boxes.shape().dim(1)) {
            throw ctx.fail("inputs 'boxes' " + boxes.shape() + " and 'scores' " + scores.shape()
                    + " should be [B, S, 4] and [B, C, S]");
        }
        long batches = boxes.shape().dim(0);
        long classes = scores.shape().dim(1);
        long spatial = boxes.shape().dim(1);
        long perClass;
        String why;
        if (ctx.valueName("max_output_boxes_per_class").isEmpty()) {
            perClass = 0;
            why = "max_output_boxes_per_class is omitted, so none";
        } else {
            TensorInfo max = ctx.input("max_output_boxes_per_class");
            if (max.hasData() && max.numel() == 1 && !max.dataDependent()) {
                perClass = Math.min(Math.max(max.data().get().longAt(0), 0), spatial);
                why = "min(max_output_boxes_per_class " + max.data().get().longAt(0) + ", boxes " + spatial + ")";
            } else {
                perClass = spatial;
                why = "max_output_boxes_per_class is not known, so the boxes " + spatial;
            }
        }
        long bound = Math.multiplyExact(Math.multiplyExact(batches, classes), perClass);
        ctx.bound("the boxes kept are at most " + bound + " = batch " + batches + " x classes " + classes
                + " x " + why);
        return List.of(TensorInfo.of(DType.INT64, Shape.of(bound, 3)).asDataDependent());
    }

    @Override
    public Cost cost(OpContext ctx) {
        TensorInfo boxes = ctx.input("boxes");
        long spatial = boxes.shape().dim(1);
        long pairs = spatial < 2 ? 0 : Math.multiplyExact(spatial, spatial - 1) / 2;
        return Cost.ops(Math.multiplyExact(Math.multiplyExact(boxes.shape().dim(0), ctx.input("scores").shape().dim(1)),
                pairs));
    }
}
