package dev.tally.load.checkpoint;

import dev.tally.load.pytorch.PyCall;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.TorchObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Walks an unpickled object tree (maps, lists, tuples, inert calls); shared objects are visited once. The walk keeps
 * its own stack: a pickle can nest values a million levels deep, which a recursive walk would not survive.
 */
public final class Trees {
    private Trees() {
    }

    public static void forEachTensor(Object root, Consumer<TensorRef> action) {
        walk(root, value -> {
            if (value instanceof TensorRef tensor) {
                action.accept(tensor);
            }
        });
    }

    public static void forEachCall(Object root, Consumer<PyCall> action) {
        walk(root, value -> {
            if (value instanceof PyCall call) {
                action.accept(call);
            }
        });
    }

    private static void walk(Object root, Consumer<Object> action) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        Deque<Object> pending = new ArrayDeque<>();
        pending.push(root == null ? "" : root);
        while (!pending.isEmpty()) {
            Object value = pending.pop();
            if (value instanceof String || value instanceof Number || value instanceof Boolean || seen.put(value, Boolean.TRUE) != null) {
                continue;
            }
            action.accept(value);
            List<Object> children = new ArrayList<>();
            if (value instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    children.add(entry.getKey());
                    children.add(entry.getValue());
                }
            } else if (value instanceof Iterable<?> items) {
                items.forEach(children::add);
            } else if (value instanceof Object[] tuple) {
                children.addAll(Arrays.asList(tuple));
            } else if (value instanceof PyCall call) {
                children.add(call.args());
                children.add(call.states());
            } else if (value instanceof TorchObject object) {
                children.add(object.attributes());
                children.add(object.states());
            }
            // Pushed last to first, so that children are visited in order, as the recursive walk did.
            for (int i = children.size() - 1; i >= 0; i--) {
                if (children.get(i) != null) {
                    pending.push(children.get(i));
                }
            }
        }
    }
}
