package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sampling aten ops of TorchScript code: the upsampling ops {@code F.interpolate} calls
 * ({@code upsample_nearest1d/2d/3d}, {@code upsample_linear1d}, {@code upsample_bilinear2d},
 * {@code upsample_trilinear3d} and {@code upsample_bicubic2d}), as ONNX Resize nodes with the output size spelled out,
 * so that the shared {@link dev.tally.analysis.rules.ResizeRule} gives their shape and cost; and {@code grid_sampler}
 * ({@code F.grid_sample}) as ONNX GridSample. An output size given by scale factors, or not known statically, leaves
 * the op unsupported (listed, never zero).
 */
final class InterpolationOps extends AtenFamily {
    /** PyTorch's GridSampler interpolation and padding enums, in their order, by ONNX GridSample's (opset 16) names. */
    private static final List<String> GRID_MODES = List.of("bilinear", "nearest", "bicubic");
    private static final List<String> GRID_PADDINGS = List.of("zeros", "border", "reflection");

    InterpolationOps(GraphBuilder graph) {
        super(graph);
        put((name, args, kw, site) -> upsample("nearest", args, kw, site), "upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d");
        put((name, args, kw, site) -> upsample("linear", args, kw, site), "upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d");
        put((name, args, kw, site) -> upsample("cubic", args, kw, site), "upsample_bicubic2d");
        put(this::gridSampler, "grid_sampler", "grid_sampler_2d", "grid_sampler_3d");
    }

    /** Resize to the output size given, or {@link AtenOps#NOT_HANDLED} when it is not known. */
    private Object upsample(String mode, List<Object> args, Map<String, Object> keywords, Site site) {
        if (args.isEmpty() || !(args.get(0) instanceof TensorValue input) || !input.known() || !keywords.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        // upsample_nearest2d(input, output_size, scale_factors); the others (input, output_size, align_corners, scale_factors).
        List<Object> size = args.size() > 1 ? AtenOps.items(args.get(1)) : null;
        boolean alignCorners = !mode.equals("nearest") && args.size() > 2 && Boolean.TRUE.equals(args.get(2));
        // No output size: scale factors without recompute_scale_factor (KeypointRCNNPredictor's 2x), and PyTorch's
        // output size is floor(input size x scale) per axis (upsample's compute_output_size, in double).
        List<Object> scales = size == null && args.size() > 2 ? AtenOps.items(args.get(args.size() - 1)) : null;
        if (size == null && scales != null && scales.size() == input.info().rank() - 2) {
            size = new ArrayList<>();
            for (int i = 0; i < scales.size(); i++) {
                if (!(scales.get(i) instanceof Number scale)) {
                    return AtenOps.NOT_HANDLED;
                }
                size.add((long) Math.floor(input.info().shape().dim(i + 2) * scale.doubleValue()));
            }
        }
        if (size == null || size.size() != input.info().rank() - 2) {
            return AtenOps.NOT_HANDLED;
        }
        long[] sizes = new long[input.info().rank()];
        sizes[0] = input.info().shape().dim(0);
        sizes[1] = input.info().shape().dim(1);
        boolean bounded = false;
        for (int i = 0; i < size.size(); i++) {
            if (BoundedInts.isBounded(size.get(i))) {
                // A size read from the data at its bound (keypointrcnn's heatmap resized to its box's clamped width).
                sizes[i + 2] = BoundedInts.high(size.get(i));
                bounded = true;
                continue;
            }
            if (!(size.get(i) instanceof Long l)) {
                return AtenOps.NOT_HANDLED;
            }
            sizes[i + 2] = l;
        }
        Map<String, Attribute> attributes = attrs(
                "mode", new Attribute.Str(mode),
                "coordinate_transformation_mode", new Attribute.Str(alignCorners ? "align_corners"
                        : mode.equals("nearest") ? "asymmetric" : "pytorch_half_pixel"),
                "nearest_mode", new Attribute.Str("floor"));
        List<String> inputs = new ArrayList<>(List.of(input.name(), "", "", graph.ints(sizes).name()));
        if (bounded) {
            return graph.withDataDependentSizes(() -> graph.emit("Resize", inputs, attributes, 1, site.layer(), site.source()).get(0));
        }
        return graph.emit("Resize", inputs, attributes, 1, site.layer(), site.source()).get(0);
    }

    private Object gridSampler(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // F.grid_sample calls grid_sampler(input, grid, mode, padding_mode, align_corners) with the enums as ints
        // (RAFT samples its correlation pyramid at the flow's points, bilinear).
        Args a = bind(name, args, kw, "input", "grid", "interpolation_mode", "padding_mode", "align_corners");
        long mode = a.integer("interpolation_mode", 0);
        long padding = a.integer("padding_mode", 0);
        if (mode < 0 || mode >= GRID_MODES.size() || padding < 0 || padding >= GRID_PADDINGS.size()) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("GridSample", site, attrs(
                "mode", new Attribute.Str(GRID_MODES.get((int) mode)),
                "padding_mode", new Attribute.Str(GRID_PADDINGS.get((int) padding)),
                "align_corners", new Attribute.Int(a.flag("align_corners", false) ? 1 : 0)),
                a.tensor("input"), a.tensor("grid"));
    }
}
