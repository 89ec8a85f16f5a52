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
        // Most nodes have no attributes: one shared empty map instead of a LinkedHashMap each (88 MB on a million nodes).
        attributes = attributes.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        layer = layer == null || layer.isEmpty() ? name : layer;
        source = source == null ? "" : source;
    }

    public Node(String name, String opType, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes, String layer) {
        this(name, opType, inputs, outputs, attributes, layer, "");
    }

    /**
     * The name and op only, not every component: the record's own hash mixes the name, the lists and the attributes,
     * and for generated graphs ({@code n0, n1, ...} reading {@code t0, t1, ...}) those sums collide so often that
     * the passes' maps of nodes degrade into trees (issue 14's million-node chain spent minutes in
     * {@code HashMap$TreeNode.putTreeVal}). Names are unique within a graph, so this spreads as well as it can and
     * still agrees with {@link #equals}.
     */
    @Override
    public int hashCode() {
        return name.hashCode() * 31 + opType.hashCode();
    }

    public Optional<Attribute> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /** How messages name this node: {@code Node 'features.0' (Conv)}, with the layer when it differs from the name. */
    public String describe() {
        return "Node '" + name + "' (" + opType + ")";
    }
}
