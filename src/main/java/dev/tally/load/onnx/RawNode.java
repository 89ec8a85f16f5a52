package dev.tally.load.onnx;

import dev.tally.load.onnx.proto.Onnx.AttributeProto;
import dev.tally.load.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code NodeProto} as the graph reader needs it: its strings decoded, its attributes kept as they are. The
 * model's graph is read node by node into these ({@link OnnxLoader#parse}), so no {@code NodeProto} outlives its
 * own parse: on issue 14's one-million-node chain the parsed messages held about 600 MB (each string a buffer view
 * of 88 bytes, each repeated field two lists), these about 150 MB, and the IR {@code Node} shares their strings and
 * lists.
 */
final class RawNode {
    private final String name;
    private final String opType;
    private final String domain;
    private final List<String> inputs;
    private final List<String> outputs;
    private final List<AttributeProto> attributes;

    /**
     * Op types and domains, one string each: a graph has a few dozen, and a million nodes decoding their own copies
     * held 48 MB of "Relu". Bounded, since a hostile file may spell a new op on every node.
     */
    private static final int SHARED_NAMES = 4096;

    private RawNode(NodeProto proto, java.util.Map<String, String> shared) {
        name = proto.getName();
        opType = share(proto.getOpType(), shared);
        domain = share(proto.getDomain(), shared);
        inputs = List.copyOf(proto.getInputList());
        outputs = List.copyOf(proto.getOutputList());
        attributes = proto.getAttributeCount() == 0 ? List.of() : List.copyOf(proto.getAttributeList());
    }

    private static String share(String text, java.util.Map<String, String> shared) {
        String known = shared.get(text);
        if (known != null) {
            return known;
        }
        if (shared.size() < SHARED_NAMES) {
            shared.put(text, text);
        }
        return text;
    }

    /** @param shared the op types and domains met so far in this file, filled as nodes are read */
    static RawNode of(NodeProto proto, java.util.Map<String, String> shared) {
        return new RawNode(proto, shared);
    }

    static List<RawNode> of(List<NodeProto> protos) {
        List<RawNode> nodes = new ArrayList<>(protos.size());
        java.util.Map<String, String> shared = new java.util.HashMap<>();
        for (NodeProto proto : protos) {
            nodes.add(of(proto, shared));
        }
        return nodes;
    }

    String getName() {
        return name;
    }

    String getOpType() {
        return opType;
    }

    String getDomain() {
        return domain;
    }

    List<String> getInputList() {
        return inputs;
    }

    int getInputCount() {
        return inputs.size();
    }

    String getInput(int i) {
        return inputs.get(i);
    }

    List<String> getOutputList() {
        return outputs;
    }

    int getOutputCount() {
        return outputs.size();
    }

    String getOutput(int i) {
        return outputs.get(i);
    }

    List<AttributeProto> getAttributeList() {
        return attributes;
    }
}
