package dev.tally.load.torchscript;

import dev.tally.analysis.saved.SavedRules;
import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Activations from TorchScript code: the one-input ops ({@code relu}, {@code sigmoid}, {@code tanh}, {@code exp},
 * {@code sqrt}, ...), {@code silu} (Sigmoid and Mul, as the exporter writes it), {@code gelu}, {@code leaky_relu},
 * {@code prelu}, the clamps ({@code relu6}, {@code hardtanh}, {@code clamp}, {@code clamp_min}, {@code clamp_max}), {@code softmax}, {@code log_softmax} and {@code glu} (Split, Sigmoid, Mul).
 */
final class ActivationOps extends AtenFamily {

    ActivationOps(GraphBuilder graph) {
        super(graph);
        put((name, args, kw, site) -> unary("Relu", name, args, kw, site), "relu");
        put((name, args, kw, site) -> unary("Sigmoid", name, args, kw, site), "sigmoid");
        put((name, args, kw, site) -> unary("Tanh", name, args, kw, site), "tanh");
        put((name, args, kw, site) -> unary("HardSwish", name, args, kw, site), "hardswish");
        put((name, args, kw, site) -> unary("HardSigmoid", name, args, kw, site), "hardsigmoid");
        put((name, args, kw, site) -> unary("Exp", name, args, kw, site), "exp");
        put((name, args, kw, site) -> unary("Log", name, args, kw, site), "log");
        put((name, args, kw, site) -> unary("Sqrt", name, args, kw, site), "sqrt");
        put((name, args, kw, site) -> unary("Erf", name, args, kw, site), "erf");
        put((name, args, kw, site) -> unary("Abs", name, args, kw, site), "abs");
        put((name, args, kw, site) -> unary("Neg", name, args, kw, site), "neg");
        put((name, args, kw, site) -> unary("Reciprocal", name, args, kw, site), "reciprocal");
        put((name, args, kw, site) -> unary("Floor", name, args, kw, site), "floor");
        put((name, args, kw, site) -> unary("Ceil", name, args, kw, site), "ceil");
        put((name, args, kw, site) -> unary("Round", name, args, kw, site), "round");
        put(this::log2, "log2");
        put(this::silu, "silu");
        put(this::gelu, "gelu");
        put(this::leakyRelu, "leaky_relu");
        put((name, args, kw, site) -> clip(bind(name, args, kw, "self").tensor("self"), 0.0, 6.0, site), "relu6");
        put(this::hardtanh, "hardtanh");
        put(this::clamp, "clamp", "clip");
        put(this::clampOneSide, "clamp_min", "clamp_max");
        put(this::softmax, "softmax", "log_softmax");
        put(this::prelu, "prelu");
        put(this::glu, "glu");
    }

    private Object log2(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // log2(x) = log(x) / log(2), as torch.onnx writes it (MultiScaleRoIAlign's levels from its scales).
        TensorValue log = emit("Log", site, attrs(), bind(name, args, kw, "self").tensor("self"));
        return emit("Div", site, attrs(), log, graph.scalar(Math.log(2)));
    }

    private Object silu(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // SiLU is x * sigmoid(x); ONNX has no single op for it, and the exporter writes these two. Both are
        // marked as parts of SiLU: its backward keeps x only (SiluBackward0), not what Sigmoid and Mul would.
        TensorValue x = bind(name, args, kw, "self").tensor("self");
        TensorValue sigmoid = emit("Sigmoid", site, attrs(SavedRules.PART_OF, new Attribute.Str("Silu")), x);
        return emit("Mul", site, attrs(SavedRules.PART_OF, new Attribute.Str("Silu")), x, sigmoid);
    }

    private Object gelu(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "approximate");
        return emit("Gelu", site, attrs("approximate", new Attribute.Str(a.string("approximate", "none"))), a.tensor("self"));
    }

    private Object leakyRelu(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "negative_slope");
        return emit("LeakyRelu", site, attrs("alpha", new Attribute.Float(a.real("negative_slope", 0.01))), a.tensor("self"));
    }

    private Object hardtanh(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "min_val", "max_val");
        return clip(a.tensor("self"), a.real("min_val", -1), a.real("max_val", 1), site);
    }

    private Object clamp(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "min", "max");
        return emit("Clip", site, attrs(), a.tensor("self"),
                a.has("min") ? a.tensor("min") : null, a.has("max") ? a.tensor("max") : null);
    }

    private Object clampOneSide(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // clamp_min(x, m) is clamp(x, min=m), F.normalize's guard against a zero norm; clamp_max likewise.
        boolean min = name.equals("clamp_min");
        Args a = bind(name, args, kw, "self", min ? "min" : "max");
        TensorValue bound = a.tensor(min ? "min" : "max");
        return emit("Clip", site, attrs(), a.tensor("self"), min ? bound : null, min ? null : bound);
    }

    private Object softmax(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim", "dtype");
        return emit(name.equals("softmax") ? "Softmax" : "LogSoftmax", site,
                attrs("axis", new Attribute.Int(a.integer("dim", -1))), a.tensor("self"));
    }

    private Object prelu(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // PyTorch applies the slope per channel (axis 1); ONNX PRelu broadcasts it from the last axis, so a
        // slope of C entries becomes C x 1 x ... (rank - 1 axes), as torch.onnx unsqueezes it.
        Args a = bind(name, args, kw, "self", "weight");
        TensorValue self = a.tensor("self");
        TensorValue weight = a.tensor("weight");
        if (!self.known() || !weight.known()) {
            return AtenOps.NOT_HANDLED;
        }
        int rank = self.info().rank();
        if (rank > 2 && weight.info().rank() == 1) {
            long[] axes = new long[rank - 2];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i + 1;
            }
            weight = emit("Unsqueeze", site, attrs(), weight, graph.ints(axes));
        }
        return emit("PRelu", site, attrs(), self, weight);
    }

    private Object glu(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // GLU: the first half along dim times the sigmoid of the second, as torch.onnx writes it (Split, Sigmoid, Mul;
        // Conformer's convolution module, HDemucs' encoders).
        Args a = bind(name, args, kw, "self", "dim");
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        int axis = self.info().shape().normalizeAxis((int) a.integer("dim", -1));
        long size = self.info().shape().dim(axis);
        if (size % 2 != 0) {
            return AtenOps.NOT_HANDLED;
        }
        List<TensorValue> halves = graph.emit("Split", List.of(self.name(), graph.ints(size / 2, size / 2).name()),
                attrs("axis", new Attribute.Int(axis)), 2, site.layer(), site.source());
        TensorValue gate = emit("Sigmoid", site, attrs(), halves.get(1));
        return emit("Mul", site, attrs(), halves.get(0), gate);
    }

    private Object unary(String op, String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "inplace");
        return emit(op, site, attrs(), a.tensor("self"));
    }

    private Object clip(TensorValue x, double min, double max, Site site) {
        return emit("Clip", site, attrs(), x, graph.scalar(min), graph.scalar(max));
    }
}
