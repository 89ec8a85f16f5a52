package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * torchvision's own ops, which scripted detection code calls as {@code ops.torchvision.*}, written as the ONNX ops
 * torchvision's exporter writes for them ({@code torchvision/ops/_register_onnx_ops.py}): {@code nms} as
 * NonMaxSuppression of one class, whose kept indices are at most its input boxes, and {@code roi_align} as RoiAlign
 * with the rois' batch index split off (docs/conventions.md, "Data-dependent sizes").
 */
final class VisionOps extends AtenFamily {

    VisionOps(GraphBuilder graph) {
        super(graph);
        put(this::nms, "torchvision::nms");
        put(this::roiAlign, "torchvision::roi_align");
    }

    private Object nms(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // nms(boxes [N, 4], scores [N], iou_threshold): the indices of the boxes kept, best first. As the exporter:
        // NonMaxSuppression of one batch and one class with no limit on the boxes kept ([n, 3], n <= N), then the box
        // column.
        Args a = bind(name, args, kw, "dets", "scores", "iou_threshold");
        TensorValue boxes = emit("Unsqueeze", site, attrs(), a.tensor("dets"), graph.ints(0));
        TensorValue scores = emit("Unsqueeze", site, attrs(), a.tensor("scores"), graph.ints(0, 1));
        TensorValue kept = emit("NonMaxSuppression", site, attrs(), boxes, scores, graph.ints(Long.MAX_VALUE),
                graph.scalar(a.real("iou_threshold", 0)));
        return emit("Gather", site, attrs("axis", new Attribute.Int(1)), kept, graph.scalar(2L));
    }

    private Object roiAlign(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // roi_align(input, rois [K, 5], spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned): each roi is
        // its image's index then x1, y1, x2, y2; ONNX's RoiAlign takes the boxes and the int64 indices apart. A
        // sampling_ratio below 1 (adaptive) is ONNX's 0; aligned shifts the boxes by half a pixel (half_pixel).
        Args a = bind(name, args, kw, "input", "rois", "spatial_scale", "pooled_height", "pooled_width", "sampling_ratio",
                "aligned");
        TensorValue rois = a.tensor("rois");
        TensorValue boxes = emit("Slice", site, attrs(), rois, graph.ints(1), graph.ints(5), graph.ints(1), graph.ints(1));
        TensorValue column = emit("Gather", site, attrs("axis", new Attribute.Int(1)), rois, graph.scalar(0L));
        TensorValue batch = emit("Cast", site, attrs("to", new Attribute.Int(ScalarTypes.onnxCode(DType.INT64).orElseThrow())), column);
        Map<String, Attribute> attributes = attrs("output_height", new Attribute.Int(a.integer("pooled_height", 1)),
                "output_width", new Attribute.Int(a.integer("pooled_width", 1)),
                "sampling_ratio", new Attribute.Int(Math.max(a.integer("sampling_ratio", -1), 0)),
                "spatial_scale", new Attribute.Float(a.real("spatial_scale", 1)),
                "coordinate_transformation_mode", new Attribute.Str(a.flag("aligned", false) ? "half_pixel" : "output_half_pixel"));
        return emit("RoiAlign", site, attributes, a.tensor("input"), boxes, batch);
    }
}
