package dev.tally.audit;

import dev.tally.load.checkpoint.StateDicts;
import dev.tally.load.checkpoint.Trees;
import dev.tally.load.pytorch.PyCall;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.report.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A top-level entry of the checkpoint that is not the state_dict ({@code epoch: 90}, {@code optimizer: dict ...}). */
public record OtherEntry(String name, String description) {
    /** The entry as the report shows it: its name and one line about its value. */
    static OtherEntry of(StateDicts.Other other) {
        return new OtherEntry(other.name(), describe(other.value()));
    }

    /** One line about a value: {@code 90}, {@code dict with 2 entries (62 tensors, 244.4 MB)}. */
    static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof String text) {
            return "'" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "'";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof TensorRef tensor) {
            return "tensor " + tensor.sizes() + " " + tensor.dtype().displayName();
        }
        long[] counts = new long[2];
        Trees.forEachTensor(value, tensor -> {
            counts[0]++;
            counts[1] += Math.multiplyExact(tensor.shape().numel(), (long) tensor.dtype().byteSize());
        });
        String tensors = counts[0] == 0 ? "" : " (" + counts[0] + " tensor" + (counts[0] == 1 ? "" : "s") + ", " + Units.bytes(counts[1]) + ")";
        if (value instanceof Map<?, ?> map) {
            return "dict with " + map.size() + " entr" + (map.size() == 1 ? "y" : "ies") + keysHint(map) + tensors;
        }
        if (value instanceof List<?> list) {
            return "list of " + list.size() + tensors;
        }
        if (value instanceof Object[] tuple) {
            return "tuple of " + tuple.length + tensors;
        }
        if (value instanceof PyCall object) {
            return object.callee().qualifiedName() + " object" + tensors;
        }
        if (value instanceof byte[] bytes) {
            return bytes.length + " bytes";
        }
        return value.getClass().getSimpleName();
    }

    private static String keysHint(Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        for (Object key : map.keySet()) {
            if (keys.size() == 4) {
                keys.add("...");
                break;
            }
            keys.add(String.valueOf(key));
        }
        return keys.isEmpty() ? "" : ": " + String.join(", ", keys);
    }
}
