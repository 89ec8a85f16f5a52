package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Convolution and pooling from TorchScript code: {@code _convolution}, {@code conv1d/2d/3d},
 * {@code conv_transpose1d/2d/3d}, {@code max_pool1d/2d/3d}, {@code avg_pool1d/2d/3d} and
 * {@code adaptive_avg_pool1d/2d/3d}, as ONNX Conv, ConvTranspose, MaxPool, AveragePool and AdaptiveAveragePool nodes,
 * and {@code im2col} ({@code F.unfold}) as Im2Col with Conv's window attributes,
 * with ONNX's attribute names (padding per side, kernel shape from the weight).
 */
final class ConvolutionOps extends AtenFamily {

    ConvolutionOps(GraphBuilder graph) {
        super(graph);
        put(this::convolution, "_convolution");
        put(this::convNd, "conv1d", "conv2d", "conv3d");
        put(this::convTransposeNd, "conv_transpose1d", "conv_transpose2d", "conv_transpose3d");
        put(this::maxPoolNd, "max_pool1d", "max_pool2d", "max_pool3d");
        put(this::avgPoolNd, "avg_pool1d", "avg_pool2d", "avg_pool3d");
        put(this::adaptiveAvgPoolNd, "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d");
        put(this::im2col, "im2col");
    }

    private Object im2col(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // F.unfold: Conv's windows copied out as columns (RAFT's convex upsampling of the flow).
        Args a = bind(name, args, kw, "self", "kernel_size", "dilation", "padding", "stride");
        List<Long> padding = new ArrayList<>(a.ints("padding", 2, null));
        padding.addAll(a.ints("padding", 2, null));
        return emit("Im2Col", site, attrs(
                "kernel_shape", new Attribute.Ints(a.ints("kernel_size", 2, null)),
                "dilations", new Attribute.Ints(a.ints("dilation", 2, null)),
                "pads", new Attribute.Ints(padding),
                "strides", new Attribute.Ints(a.ints("stride", 2, null))), a.tensor("self"));
    }

    private Object convolution(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "weight", "bias", "stride", "padding", "dilation", "transposed",
                "output_padding", "groups", "benchmark", "deterministic", "cudnn_enabled", "allow_tf32");
        return conv(a, a.flag("transposed", false), site);
    }

    private Object convNd(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "weight", "bias", "stride", "padding", "dilation", "groups");
        return conv(a, false, site);
    }

    private Object convTransposeNd(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation");
        return conv(a, true, site);
    }

    private Object maxPoolNd(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "kernel_size", "stride", "padding", "dilation", "ceil_mode");
        return pool("MaxPool", a, spatialRank(name), site);
    }

    private Object avgPoolNd(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                "divisor_override");
        if (a.has("divisor_override")) {
            return AtenOps.NOT_HANDLED;
        }
        return pool("AveragePool", a, spatialRank(name), site);
    }

    private Object adaptiveAvgPoolNd(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "output_size");
        List<Long> size = a.ints("output_size", spatialRank(name), null);
        return emit("AdaptiveAveragePool", site, attrs("output_size", new Attribute.Ints(size)), a.tensor("self"));
    }

    private static int spatialRank(String name) {
        return name.charAt(name.length() - 2) - '0';
    }

    private Object conv(Args a, boolean transposed, Site site) {
        TensorValue input = a.tensor("input");
        TensorValue weight = a.tensor("weight");
        if (!weight.known()) {
            return AtenOps.NOT_HANDLED;
        }
        Shape w = weight.info().shape();
        int rank = w.rank() - 2;
        List<Long> kernel = w.dims().subList(2, w.rank());
        List<Long> strides = a.ints("stride", rank, Args.repeat(1, rank));
        List<Long> dilations = a.ints("dilation", rank, Args.repeat(1, rank));
        List<Long> padding;
        Object pad = a.get("padding");
        if (pad instanceof String mode) {
            padding = null;
            if (mode.equals("valid")) {
                padding = Args.repeat(0, rank * 2);
            } else if (mode.equals("same")) {
                // PyTorch's 'same': total = dilation * (k - 1), the extra element on the end side.
                List<Long> begins = new ArrayList<>();
                List<Long> ends = new ArrayList<>();
                for (int i = 0; i < rank; i++) {
                    long total = dilations.get(i) * (kernel.get(i) - 1);
                    begins.add(total / 2);
                    ends.add(total - total / 2);
                }
                padding = new ArrayList<>(begins);
                padding.addAll(ends);
            } else {
                return AtenOps.NOT_HANDLED;
            }
        } else {
            List<Long> p = a.ints("padding", rank, Args.repeat(0, rank));
            padding = new ArrayList<>(p);
            padding.addAll(p);
        }
        Map<String, Attribute> attributes = attrs(
                "dilations", new Attribute.Ints(dilations),
                "group", new Attribute.Int(a.integer("groups", 1)),
                "kernel_shape", new Attribute.Ints(kernel),
                "pads", new Attribute.Ints(padding),
                "strides", new Attribute.Ints(strides));
        if (transposed) {
            attributes.put("output_padding", new Attribute.Ints(a.ints("output_padding", rank, Args.repeat(0, rank))));
        }
        return emit(transposed ? "ConvTranspose" : "Conv", site, attributes, input, weight, a.optionalTensor("bias"));
    }

    private Object pool(String op, Args a, int rank, Site site) {
        List<Long> kernel = a.ints("kernel_size", rank, null);
        List<Long> strides = a.ints("stride", rank, List.of());
        if (strides.isEmpty()) {
            // An empty stride means stride = kernel (torch.nn.functional.max_pool2d's default).
            strides = kernel;
        }
        List<Long> p = a.ints("padding", rank, Args.repeat(0, rank));
        List<Long> pads = new ArrayList<>(p);
        pads.addAll(p);
        Map<String, Attribute> attributes = attrs(
                "ceil_mode", new Attribute.Int(a.flag("ceil_mode", false) ? 1 : 0),
                "kernel_shape", new Attribute.Ints(kernel),
                "pads", new Attribute.Ints(pads),
                "strides", new Attribute.Ints(strides));
        if (op.equals("MaxPool")) {
            attributes.put("dilations", new Attribute.Ints(a.ints("dilation", rank, Args.repeat(1, rank))));
        } else {
            attributes.put("count_include_pad", new Attribute.Int(a.flag("count_include_pad", true) ? 1 : 0));
        }
        return emit(op, site, attributes, a.tensor("self"));
    }
}
