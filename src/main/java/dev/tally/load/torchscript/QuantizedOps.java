package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.PackedParams;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PyTorch's quantized ops as TorchScript code calls them ({@code ops.quantized.conv2d_relu(x, self._packed_params,
 * scale, zero_point)}, {@code torch.quantize_per_tensor(x, scale, zero_point, 13)}), as IR nodes whose rules count
 * what the float ops count ({@code QuantizedConv}, {@code QuantizedLinear}, {@code QuantizedAdd}, {@code QuantizedMul},
 * {@code QuantizePerTensor}, {@code Dequantize}; {@code quantized::cat} is a Concat and {@code quantized::hardswish}
 * a HardSwish). The output scale and zero point are numbers of the integer kernel, not inputs: they are not kept.
 * The weight and bias come from the packed params ({@link Values.PackedParams}), read as stored tensors.
 */
final class QuantizedOps implements OpFamily {
    private final GraphBuilder graph;

    QuantizedOps(GraphBuilder graph) {
        this.graph = graph;
    }

    @Override
    public Object call(String name, List<Object> args, Map<String, Object> keywords, Site site) {
        return switch (name) {
            case "quantize_per_tensor" -> quantize(args, keywords, site);
            case "dequantize" -> args.size() == 1 && args.get(0) instanceof TensorValue x
                    ? emit("Dequantize", new LinkedHashMap<>(), site, x) : AtenOps.NOT_HANDLED;
            case "quantized::conv2d" -> conv(args, false, site);
            case "quantized::conv2d_relu" -> conv(args, true, site);
            case "quantized::linear" -> linear(args, false, site);
            case "quantized::linear_relu" -> linear(args, true, site);
            case "quantized::add" -> binary("QuantizedAdd", args, false, site);
            case "quantized::add_relu" -> binary("QuantizedAdd", args, true, site);
            case "quantized::mul" -> binary("QuantizedMul", args, false, site);
            case "quantized::mul_relu" -> binary("QuantizedMul", args, true, site);
            case "quantized::cat" -> cat(args, site);
            case "quantized::hardswish" -> args.size() >= 1 && args.get(0) instanceof TensorValue x
                    ? emit("HardSwish", new LinkedHashMap<>(), site, x) : AtenOps.NOT_HANDLED;
            default -> AtenOps.NOT_HANDLED;
        };
    }

    /** {@code quantize_per_tensor(Tensor self, float scale, int zero_point, ScalarType dtype)}. */
    private Object quantize(List<Object> args, Map<String, Object> keywords, Site site) {
        Object code = args.size() > 3 ? args.get(3) : keywords.get("dtype");
        if (args.isEmpty() || !(args.get(0) instanceof TensorValue x) || !(code instanceof Long c)) {
            return AtenOps.NOT_HANDLED;
        }
        Optional<DType> dtype = ScalarTypes.dtype(c).filter(DType::isQuantized);
        if (dtype.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("dtype", new Attribute.Str(dtype.get().displayName()));
        return emit("QuantizePerTensor", attributes, site, x);
    }

    /** {@code quantized::conv2d(Tensor qx, Conv2dPackedParamsBase packed_weight, float output_scale, int output_zero_point)}. */
    private Object conv(List<Object> args, boolean relu, Site site) {
        if (args.size() < 2 || !(args.get(0) instanceof TensorValue x) || !(args.get(1) instanceof PackedParams packed)
                || packed.weight() == null || !packed.weight().known()) {
            return AtenOps.NOT_HANDLED;
        }
        int rank = packed.weight().info().rank() - 2;
        List<Long> stride = longs(packed.geometry().get("stride"), rank);
        List<Long> padding = longs(packed.geometry().get("padding"), rank);
        List<Long> dilation = longs(packed.geometry().get("dilation"), rank);
        if (stride == null || padding == null || dilation == null || !(packed.geometry().get("groups") instanceof Long groups)) {
            return AtenOps.NOT_HANDLED;
        }
        List<Long> pads = new ArrayList<>(padding);
        pads.addAll(padding);
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("dilations", new Attribute.Ints(dilation));
        attributes.put("group", new Attribute.Int(groups));
        attributes.put("kernel_shape", new Attribute.Ints(packed.weight().info().shape().dims().subList(2, rank + 2)));
        attributes.put("pads", new Attribute.Ints(pads));
        attributes.put("strides", new Attribute.Ints(stride));
        attributes.put("relu", new Attribute.Int(relu ? 1 : 0));
        return emit("QuantizedConv", attributes, site, x, packed.weight(), packed.bias());
    }

    /** {@code quantized::linear(Tensor X, LinearPackedParamsBase W_prepack, float Y_scale_i, int Y_zero_point_i)}. */
    private Object linear(List<Object> args, boolean relu, Site site) {
        if (args.size() < 2 || !(args.get(0) instanceof TensorValue x) || !(args.get(1) instanceof PackedParams packed)
                || packed.weight() == null) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("relu", new Attribute.Int(relu ? 1 : 0));
        return emit("QuantizedLinear", attributes, site, x, packed.weight(), packed.bias());
    }

    /** {@code quantized::add(Tensor qa, Tensor qb, float scale, int zero_point)}, and mul and the fused-ReLU forms. */
    private Object binary(String op, List<Object> args, boolean relu, Site site) {
        if (args.size() < 2 || !(args.get(0) instanceof TensorValue a) || !(args.get(1) instanceof TensorValue b)) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("relu", new Attribute.Int(relu ? 1 : 0));
        return emit(op, attributes, site, a, b);
    }

    /** {@code quantized::cat(Tensor[] qx, int dim, float? scale, int? zero_point)}: a Concat along {@code dim}. */
    private Object cat(List<Object> args, Site site) {
        TensorValue[] inputs = args.isEmpty() ? null : AtenOps.tensorItems(args.get(0));
        if (inputs == null || args.size() < 2 || !(args.get(1) instanceof Long dim)) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        attributes.put("axis", new Attribute.Int(dim));
        return emit("Concat", attributes, site, inputs);
    }

    /** A pickled int tuple (a TupleValue or list of Longs) of {@code rank} items, or null. */
    private static List<Long> longs(Object value, int rank) {
        List<Object> items = value instanceof TupleValue tuple ? tuple.items() : AtenOps.items(value);
        if (items == null || items.size() != rank) {
            return null;
        }
        List<Long> result = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof Long l)) {
                return null;
            }
            result.add(l);
        }
        return result;
    }

    private TensorValue emit(String op, Map<String, Attribute> attributes, Site site, TensorValue... inputs) {
        List<String> names = new ArrayList<>();
        for (TensorValue input : inputs) {
            names.add(input == null ? "" : input.name());
        }
        while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
            names.remove(names.size() - 1);
        }
        return graph.emit(op, names, attributes, 1, site.layer(), site.source()).get(0);
    }
}
