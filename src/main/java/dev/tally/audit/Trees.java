package dev.tally.audit;

import dev.tally.load.pytorch.PyCall;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.TorchObject;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Walks an unpickled object tree (maps, lists, tuples, inert calls); shared objects are visited once. */
final class Trees {
    private Trees() {
    }

    static void forEachTensor(Object root, Consumer<TensorRef> action) {
        walk(root, action, new IdentityHashMap<>());
    }

    private static void walk(Object value, Consumer<TensorRef> action, Map<Object, Boolean> seen) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return;
        }
        if (seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof TensorRef tensor) {
            action.accept(tensor);
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                walk(entry.getKey(), action, seen);
                walk(entry.getValue(), action, seen);
            }
        } else if (value instanceof List<?> list) {
            list.forEach(item -> walk(item, action, seen));
        } else if (value instanceof Object[] tuple) {
            for (Object item : tuple) {
                walk(item, action, seen);
            }
        } else if (value instanceof PyCall call) {
            walk(call.args(), action, seen);
            walk(call.states(), action, seen);
        } else if (value instanceof TorchObject object) {
            walk(object.attributes(), action, seen);
            walk(object.states(), action, seen);
        }
    }
}
