package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Normalization and dropout from TorchScript code: {@code batch_norm} (eval mode), {@code group_norm},
 * {@code layer_norm}, {@code instance_norm} and the dropouts, which are the identity in eval mode (or with p = 0); training-mode forms are
 * left unsupported.
 */
final class NormalizationOps extends AtenFamily {

    NormalizationOps(GraphBuilder graph) {
        super(graph);
        put(this::batchNorm, "batch_norm");
        put(this::groupNorm, "group_norm");
        put(this::layerNorm, "layer_norm");
        put(this::instanceNorm, "instance_norm");
        put(this::dropout, "dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout");
    }

    private Object batchNorm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "weight", "bias", "running_mean", "running_var", "training",
                "momentum", "eps", "cudnn_enabled");
        if (a.flag("training", false) || !a.has("running_mean")) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("BatchNormalization", site,
                attrs("epsilon", new Attribute.Float(a.real("eps", 1e-5)), "momentum", new Attribute.Float(1 - a.real("momentum", 0.1))),
                a.tensor("input"), a.optionalTensor("weight"), a.optionalTensor("bias"), a.tensor("running_mean"), a.tensor("running_var"));
    }

    private Object groupNorm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // The weight and bias have one entry per channel, as opset 21's GroupNormalization has them.
        Args a = bind(name, args, kw, "input", "num_groups", "weight", "bias", "eps", "cudnn_enabled");
        return emit("GroupNormalization", site,
                attrs("num_groups", new Attribute.Int(a.integer("num_groups", 1)), "epsilon", new Attribute.Float(a.real("eps", 1e-5))),
                a.tensor("input"), a.optionalTensor("weight"), a.optionalTensor("bias"));
    }

    private Object instanceNorm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // With use_input_stats each (n, c) plane is normalised by its own statistics: InstanceNormalization, whose
        // scale and bias are ones and zeros when the module has none (affine=False, RAFT's encoders), as torch.onnx
        // writes them; without, the running statistics make it an eval-mode BatchNormalization.
        Args a = bind(name, args, kw, "input", "weight", "bias", "running_mean", "running_var", "use_input_stats",
                "momentum", "eps", "cudnn_enabled");
        TensorValue input = a.tensor("input");
        if (!a.flag("use_input_stats", true)) {
            if (!a.has("running_mean")) {
                return AtenOps.NOT_HANDLED;
            }
            return emit("BatchNormalization", site, attrs("epsilon", new Attribute.Float(a.real("eps", 1e-5))),
                    input, a.optionalTensor("weight"), a.optionalTensor("bias"), a.tensor("running_mean"), a.tensor("running_var"));
        }
        if (!input.known() || input.info().rank() < 3) {
            return AtenOps.NOT_HANDLED;
        }
        long channels = input.info().shape().dim(1);
        TensorValue weight = a.has("weight") ? a.tensor("weight") : filled(channels, 1, site);
        TensorValue bias = a.has("bias") ? a.tensor("bias") : filled(channels, 0, site);
        return emit("InstanceNormalization", site, attrs("epsilon", new Attribute.Float(a.real("eps", 1e-5))), input, weight, bias);
    }

    /** A float32 vector of {@code channels} copies of {@code value}, made by the shape pass (the file sets the size). */
    private TensorValue filled(long channels, double value, Site site) {
        ConstTensor fill = new ConstTensor(DType.FLOAT32, Shape.of(1), ConstData.ofFloats(value));
        return emit("ConstantOfShape", site, attrs("value", new Attribute.Tensor(fill)), graph.ints(channels));
    }

    private Object layerNorm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "normalized_shape", "weight", "bias", "eps", "cudnn_enable");
        List<Long> normalized = a.ints("normalized_shape", 1, null);
        return emit("LayerNormalization", site,
                attrs("axis", new Attribute.Int(-normalized.size()), "epsilon", new Attribute.Float(a.real("eps", 1e-5))),
                a.tensor("input"), a.optionalTensor("weight"), a.optionalTensor("bias"));
    }

    private Object dropout(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "p", "train");
        if (a.flag("train", false) && a.real("p", 0.5) != 0) {
            // Training-mode dropout with p > 0 is random; with p = 0 (F.dropout's default training=True
            // in torchvision's Swin attention) it is the identity, as in eval mode.
            return AtenOps.NOT_HANDLED;
        }
        return emit("Dropout", site, attrs(), a.tensor("input"));
    }
}
