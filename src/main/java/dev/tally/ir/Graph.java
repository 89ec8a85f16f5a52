package dev.tally.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's computation: inputs, nodes in topological order, outputs, and the stored tensors nodes read.
 *
 * @param params    stored tensors by the value name nodes use; counted once each, however many nodes read them
 * @param constants small tensors whose values are known (integer initializers, folded shape constants)
 */
public record Graph(String name, List<Value> inputs, List<Value> outputs, List<Node> nodes,
                    Map<String, Param> params, Map<String, ConstTensor> constants) {
    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
    }

    public Optional<Param> param(String valueName) {
        return Optional.ofNullable(params.get(valueName));
    }

    public Optional<ConstTensor> constant(String valueName) {
        return Optional.ofNullable(constants.get(valueName));
    }
}
