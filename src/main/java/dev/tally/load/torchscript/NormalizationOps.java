package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import java.util.List;
import java.util.Map;

/**
 * Normalization and dropout from TorchScript code: {@code batch_norm} (eval mode), {@code group_norm},
 * {@code layer_norm} and the dropouts, which are the identity in eval mode (or with p = 0); training-mode forms are
 * left unsupported.
 */
final class NormalizationOps extends AtenFamily {

    NormalizationOps(GraphBuilder graph) {
        super(graph);
        put(this::batchNorm, "batch_norm");
        put(this::groupNorm, "group_norm");
        put(this::layerNorm, "layer_norm");
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
