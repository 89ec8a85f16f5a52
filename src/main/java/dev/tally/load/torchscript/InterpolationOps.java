package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upsampling aten ops of TorchScript code ({@code F.interpolate} calls them): {@code upsample_nearest1d/2d/3d},
 * {@code upsample_linear1d}, {@code upsample_bilinear2d}, {@code upsample_trilinear3d} and
 * {@code upsample_bicubic2d}, as ONNX Resize nodes with the output size spelled out, so that the shared
 * {@link dev.tally.analysis.rules.ResizeRule} gives their shape and cost. An output size given by scale factors, or
 * not known statically, leaves the op unsupported (listed, never zero).
 */
final class InterpolationOps implements OpFamily {
    private final GraphBuilder graph;

    InterpolationOps(GraphBuilder graph) {
        this.graph = graph;
    }

    /** The op's result, or {@link AtenOps#NOT_HANDLED} when {@code name} is not an upsampling op or its size is unknown. */
    @Override
    public Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        String mode = switch (name) {
            case "upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d" -> "nearest";
            case "upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d" -> "linear";
            case "upsample_bicubic2d" -> "cubic";
            default -> null;
        };
        if (mode == null || args.isEmpty() || !(args.get(0) instanceof TensorValue input) || !input.known() || !keywords.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        // upsample_nearest2d(input, output_size, scale_factors); the others (input, output_size, align_corners, scale_factors).
        List<Object> size = args.size() > 1 ? AtenOps.items(args.get(1)) : null;
        boolean alignCorners = !mode.equals("nearest") && args.size() > 2 && Boolean.TRUE.equals(args.get(2));
        if (size == null || size.size() != input.info().rank() - 2) {
            return AtenOps.NOT_HANDLED;
        }
        long[] sizes = new long[input.info().rank()];
        sizes[0] = input.info().shape().dim(0);
        sizes[1] = input.info().shape().dim(1);
        for (int i = 0; i < size.size(); i++) {
            if (!(size.get(i) instanceof Long l)) {
                return AtenOps.NOT_HANDLED;
            }
            sizes[i + 2] = l;
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("mode", new Attribute.Str(mode));
        attributes.put("coordinate_transformation_mode", new Attribute.Str(alignCorners ? "align_corners"
                : mode.equals("nearest") ? "asymmetric" : "pytorch_half_pixel"));
        attributes.put("nearest_mode", new Attribute.Str("floor"));
        List<String> inputs = new ArrayList<>(List.of(input.name(), "", "", graph.ints(sizes).name()));
        return graph.emit("Resize", inputs, attributes, 1, site.layer(), site.source()).get(0);
    }
}
