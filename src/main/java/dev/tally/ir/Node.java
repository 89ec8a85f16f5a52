package dev.tally.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One operation of the graph.
 *
 * @param name     unique node name, as the file gives it or as the loader made it
 * @param opType   the IR op name; ONNX's operator names are the IR's vocabulary ({@code Conv}, {@code Gemm})
 * @param inputs   value names in the op's argument order; an empty string marks an omitted optional input
 * @param outputs  value names this node defines
 * @param layer    the PyTorch module path the node belongs to ({@code features.0}); the node name when unknown
 * @param source   where the node came from, for messages ({@code code/__torch__/torchvision/models/alexnet.py:20}); may be empty
 */
public record Node(String name, String opType, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes, String layer, String source) {
    public Node {
        if (opType == null || opType.isEmpty()) {
            throw new IllegalArgumentException("Node '" + name + "' has no op type.");
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        layer = layer == null || layer.isEmpty() ? name : layer;
        source = source == null ? "" : source;
    }

    public Node(String name, String opType, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes, String layer) {
        this(name, opType, inputs, outputs, attributes, layer, "");
    }

    public Optional<Attribute> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /** How messages name this node: {@code Node 'features.0' (Conv)}, with the layer when it differs from the name. */
    public String describe() {
        return "Node '" + name + "' (" + opType + ")";
    }
}
