package dev.tally.load.torchscript;

import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.TorchObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The state of PyTorch's quantized modules and their packed params, read as data.
 *
 * <p>A quantized conv module pickles the tuple of its {@code __getstate__} instead of an attribute dict, and its
 * {@code __setstate__} rebuilds it: {@code self.stride = (state)[3]}, ..., then
 * {@code (self).set_weight_bias((state)[10], (state)[11], )}, which packs the weight and bias with
 * {@code ops.quantized.conv2d_prepack} into {@code self._packed_params}. Tally runs none of it: it reads the
 * statements of those two forms in the archive's own {@code __setstate__} and fills the module's attributes from
 * the state's items; the packed params become an object holding the weight, the bias and the geometry
 * ({@code stride}, {@code padding}, {@code dilation}, {@code groups}) {@code set_weight_bias} hands the prepack op.
 *
 * <p>The packed params objects of TorchScript's C++ classes ({@code __torch__.torch.classes.quantized.LinearPackedParamsBase},
 * {@code Conv2dPackedParamsBase}) pickle their state as the tensors they pack, weight first, then the bias; they have
 * no code in the archive. Their tensors are read as data, named {@code weight} and {@code bias}.
 */
final class QuantizedState {
    /** TorchScript's namespace of C++ custom classes: no code in the archive, state given by the pickle alone. */
    static final String TORCH_CLASSES = "__torch__.torch.classes.";

    /** The attribute {@code set_weight_bias} stores the packed params in, in every quantized module of PyTorch. */
    static final String PACKED_PARAMS = "_packed_params";

    private static final String CONV_PACKED_CLASS = TORCH_CLASSES + "quantized.Conv2dPackedParamsBase";

    private QuantizedState() {
    }

    /** Whether {@code object} is a C++ custom class object (packed params), which has no code to read. */
    static boolean isTorchClass(TorchObject object) {
        return object.className().startsWith(TORCH_CLASSES);
    }

    /** Fills a C++ packed params object's attributes {@code weight} and {@code bias} from its pickled state. */
    static void applyPacked(TorchObject packed) {
        if (packed.attributes().containsKey("weight")) {
            return;
        }
        List<TensorRef> tensors = new ArrayList<>();
        for (Object state : packed.states()) {
            collect(state, tensors);
        }
        if (!tensors.isEmpty()) {
            packed.attributes().put("weight", tensors.get(0));
        }
        if (tensors.size() > 1) {
            packed.attributes().put("bias", tensors.get(1));
        }
    }

    private static void collect(Object value, List<TensorRef> into) {
        if (value instanceof TensorRef tensor) {
            into.add(tensor);
        } else if (value instanceof Object[] tuple) {
            for (Object item : tuple) {
                collect(item, into);
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                collect(item, into);
            }
        }
    }

    /**
     * Applies the two statement forms of {@code setState} (the class's {@code __setstate__}) to a module pickled with
     * a tuple state; does nothing for a module pickled with its attribute dict.
     */
    static void apply(TorchObject module, Ast.FunctionDef setState) {
        if (setState == null || module.states().size() != 1 || !(module.states().get(0) instanceof Object[] state)
                || setState.parameters().size() != 2) {
            return;
        }
        String stateName = setState.parameters().get(1).name();
        Map<String, Object> attributes = module.attributes();
        Object[] packedWith = null;
        for (Ast.Stmt stmt : setState.body()) {
            if (stmt instanceof Ast.Assign assign && assign.targets().size() == 1 && assign.targets().get(0) instanceof Ast.Attr target
                    && isSelf(target.target())) {
                Integer index = stateIndex(assign.value(), stateName, state.length);
                if (index != null) {
                    attributes.put(target.name(), state[index]);
                    continue;
                }
            }
            Ast.Expr value = stmt instanceof Ast.Assign assign ? assign.value() : stmt instanceof Ast.ExprStmt e ? e.value() : null;
            if (value instanceof Ast.Call call && call.function() instanceof Ast.Attr method && isSelf(method.target())
                    && method.name().equals("set_weight_bias") && call.args().size() == 2) {
                Integer weight = stateIndex(call.args().get(0), stateName, state.length);
                Integer bias = stateIndex(call.args().get(1), stateName, state.length);
                if (weight != null && bias != null) {
                    packedWith = new Object[] {state[weight], state[bias]};
                }
            }
        }
        if (packedWith != null) {
            // set_weight_bias packs after the geometry is set (it reads self.stride ...), so the attributes are final here.
            TorchObject packed = new TorchObject(CONV_PACKED_CLASS);
            packed.attributes().put("weight", packedWith[0]);
            packed.attributes().put("bias", packedWith[1]);
            boolean zeros = !attributes.containsKey("padding_mode") || "zeros".equals(attributes.get("padding_mode"));
            for (String geometry : List.of("stride", "padding", "dilation", "groups")) {
                if (attributes.containsKey(geometry)) {
                    // With another padding mode the module pads in forward and packs zero padding (set_weight_bias's else branch).
                    packed.attributes().put(geometry, geometry.equals("padding") && !zeros ? new Object[] {0L, 0L} : attributes.get(geometry));
                }
            }
            attributes.put(PACKED_PARAMS, packed);
        }
    }

    private static boolean isSelf(Ast.Expr expr) {
        return expr instanceof Ast.Name name && name.id().equals("self");
    }

    /** {@code (state)[i]} as {@code i}, when {@code i} is a constant index of the state. */
    private static Integer stateIndex(Ast.Expr expr, String stateName, int size) {
        if (expr instanceof Ast.Subscript subscript && subscript.target() instanceof Ast.Name name && name.id().equals(stateName)
                && subscript.index() instanceof Ast.Const constant && constant.value() instanceof Long index
                && index >= 0 && index < size) {
            return (int) (long) index;
        }
        return null;
    }
}
