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

    private RawNode(NodeProto proto) {
        name = proto.getName();
        opType = proto.getOpType();
        domain = proto.getDomain();
        inputs = List.copyOf(proto.getInputList());
        outputs = List.copyOf(proto.getOutputList());
        attributes = proto.getAttributeCount() == 0 ? List.of() : List.copyOf(proto.getAttributeList());
    }

    static RawNode of(NodeProto proto) {
        return new RawNode(proto);
    }

    static List<RawNode> of(List<NodeProto> protos) {
        List<RawNode> nodes = new ArrayList<>(protos.size());
        for (NodeProto proto : protos) {
            nodes.add(of(proto));
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
