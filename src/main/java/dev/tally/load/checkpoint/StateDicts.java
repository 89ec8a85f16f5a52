package dev.tally.load.checkpoint;

import dev.tally.load.pytorch.PyCall;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.TorchObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the state_dict in what a checkpoint holds: the object itself, a dict entry holding one
 * ({@code {"model": ..., "optimizer": ..., "epoch": ...}}), or a whole pickled module's parameter tree.
 * Everything else at the top level is described, so the report can say what else is in the file.
 */
public final class StateDicts {
    /** Entry names training scripts use for the model's weights, in the order they are preferred. */
    private static final List<String> PREFERRED = List.of(
            "state_dict", "model_state_dict", "model_state", "model", "net", "network", "module", "weights", "params",
            "ema", "model_ema", "ema_state_dict");

    private StateDicts() {
    }

    /**
     * @param path    where the state_dict is: empty for the object itself, else the entry name ({@code model})
     * @param tensors the state_dict in its order
     * @param others  the other top-level entries and what they hold
     */
    public record Located(String path, Map<String, TensorRef> tensors, List<Other> others) {
    }

    /** A top-level entry of the checkpoint that is not the state_dict ({@code epoch: 90}, {@code optimizer: {...}}), as read. */
    public record Other(String name, Object value) {
    }

    public static Located locate(Object root) {
        Map<String, TensorRef> direct = tensorMap(root);
        if (direct != null) {
            return new Located("", direct, List.of());
        }
        if (root instanceof PyCall module && moduleTree(module) != null) {
            return new Located("(pickled " + module.callee().qualifiedName() + ")", moduleTree(module), List.of());
        }
        if (root instanceof TorchObject module) {
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            collectScripted(module, "", tensors, 0);
            return new Located("(TorchScript module " + module.className() + ")", tensors, List.of());
        }
        if (!(root instanceof Map<?, ?> dict)) {
            return new Located("", Map.of(), List.of(new Other("(file)", root)));
        }
        String chosen = null;
        Map<String, TensorRef> best = null;
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            Map<String, TensorRef> candidate = tensorMap(entry.getValue());
            if (candidate == null && entry.getValue() instanceof PyCall module) {
                candidate = moduleTree(module);
            }
            if (candidate == null) {
                continue;
            }
            String name = String.valueOf(entry.getKey());
            if (best == null || rank(name) < rank(chosen) || (rank(name) == rank(chosen) && candidate.size() > best.size())) {
                chosen = name;
                best = candidate;
            }
        }
        Map<String, TensorRef> loose = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            if (entry.getKey() instanceof String key && entry.getValue() instanceof TensorRef tensor) {
                loose.put(key, tensor);
            }
        }
        if (!loose.isEmpty() && (best == null || loose.size() > best.size())) {
            // A state_dict with passengers (a payload, a step counter): the tensors are the state_dict.
            List<Other> others = new ArrayList<>();
            for (Map.Entry<?, ?> entry : dict.entrySet()) {
                if (!(entry.getValue() instanceof TensorRef) && !isMetadata(entry)) {
                    others.add(new Other(String.valueOf(entry.getKey()), entry.getValue()));
                }
            }
            return new Located("", loose, others);
        }
        List<Other> others = new ArrayList<>();
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            String name = String.valueOf(entry.getKey());
            if (!name.equals(chosen)) {
                others.add(new Other(name, entry.getValue()));
            }
        }
        return new Located(chosen == null ? "" : chosen, best == null ? Map.of() : best, others);
    }

    /** Buffers by name when no catalog entry says: BatchNorm statistics and counters. */
    public static boolean conventionalBuffer(String name) {
        return name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked")
                || name.endsWith("relative_position_index");
    }

    private static int rank(String name) {
        int index = name == null ? -1 : PREFERRED.indexOf(name);
        return index < 0 ? PREFERRED.size() : index;
    }

    /** The map itself when every key is a string and every value a tensor (and there is at least one). */
    private static Map<String, TensorRef> tensorMap(Object value) {
        if (!(value instanceof Map<?, ?> map) || map.isEmpty()) {
            return null;
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (isMetadata(entry) || isPackedDtype(entry)) {
                continue;
            }
            if (entry.getKey() instanceof String key && entry.getValue() instanceof Object[] packed && key.endsWith(PACKED)
                    && packed.length == 2 && packed[0] instanceof TensorRef weight) {
                // A quantized Linear's packed params: the tuple (int8 weight, float bias or None), named as TorchScript names them.
                tensors.put(key + ".weight", weight);
                if (packed[1] instanceof TensorRef bias) {
                    tensors.put(key + ".bias", bias);
                }
                continue;
            }
            if (!(entry.getKey() instanceof String key) || !(entry.getValue() instanceof TensorRef tensor)) {
                return null;
            }
            tensors.put(key, tensor);
        }
        return tensors.isEmpty() ? null : tensors;
    }

    /** Where a quantized Linear's state_dict keeps its packed (weight, bias) tuple. */
    private static final String PACKED = "._packed_params._packed_params";

    /** A quantized Linear's {@code X._packed_params.dtype} entry (torch.qint8): a dtype, not a tensor, and no part of the signature. */
    private static boolean isPackedDtype(Map.Entry<?, ?> entry) {
        return entry.getKey() instanceof String key && key.endsWith("._packed_params.dtype")
                && (entry.getValue() instanceof dev.tally.load.pytorch.PyGlobal || entry.getValue() instanceof PyCall);
    }

    /**
     * A state_dict's {@code _metadata} attribute (module versions). The shared reader merges an OrderedDict's
     * BUILD state into its items, so it arrives as an entry; it is not a tensor and not part of the signature.
     */
    private static boolean isMetadata(Map.Entry<?, ?> entry) {
        return "_metadata".equals(entry.getKey()) && entry.getValue() instanceof Map<?, ?>;
    }

    /** A pickled nn.Module's parameters and buffers, named as its state_dict would name them. */
    private static Map<String, TensorRef> moduleTree(PyCall module) {
        if (!(state(module) instanceof Map<?, ?> state) || !state.containsKey("_parameters")) {
            return null;
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        collect(module, "", tensors, 0);
        return tensors;
    }

    /** The dict BUILD gave an object (its {@code __dict__}), or null. */
    private static Object state(PyCall object) {
        return object.states().isEmpty() ? null : object.states().get(object.states().size() - 1);
    }

    private static void collect(PyCall module, String prefix, Map<String, TensorRef> into, int depth) {
        if (depth > 200 || !(state(module) instanceof Map<?, ?> state)) {
            return;
        }
        for (String field : List.of("_parameters", "_buffers")) {
            if (state.get(field) instanceof Map<?, ?> tensors) {
                for (Map.Entry<?, ?> entry : tensors.entrySet()) {
                    if (entry.getValue() instanceof TensorRef tensor) {
                        into.put(prefix + entry.getKey(), tensor);
                    }
                }
            }
        }
        if (state.get("_modules") instanceof Map<?, ?> children) {
            for (Map.Entry<?, ?> entry : children.entrySet()) {
                if (entry.getValue() instanceof PyCall child) {
                    collect(child, prefix + entry.getKey() + ".", into, depth + 1);
                }
            }
        }
    }

    /** A TorchScript module tree: parameters and buffers are tensor attributes, submodules are objects. */
    private static void collectScripted(TorchObject module, String prefix, Map<String, TensorRef> into, int depth) {
        if (depth > 200) {
            return;
        }
        for (Map.Entry<String, Object> attribute : module.attributes().entrySet()) {
            if (attribute.getValue() instanceof TensorRef tensor) {
                into.put(prefix + attribute.getKey(), tensor);
            } else if (attribute.getValue() instanceof TorchObject child) {
                collectScripted(child, prefix + attribute.getKey() + ".", into, depth + 1);
            }
        }
        // Objects pickled with their __getstate__ tuple rather than a dict (PyTorch's quantized modules and packed
        // params): their tensors are listed by position in that state, e.g. conv1.(state)[10] for the weight.
        for (Object state : module.states()) {
            collectState(state, prefix + "(state)", into, depth + 1);
        }
    }

    private static void collectState(Object value, String name, Map<String, TensorRef> into, int depth) {
        if (depth > 200) {
            return;
        }
        if (value instanceof TensorRef tensor) {
            into.put(name, tensor);
        } else if (value instanceof Object[] tuple) {
            for (int i = 0; i < tuple.length; i++) {
                collectState(tuple[i], name + "[" + i + "]", into, depth + 1);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectState(list.get(i), name + "[" + i + "]", into, depth + 1);
            }
        }
    }

}
