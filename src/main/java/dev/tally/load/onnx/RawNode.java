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

    private RawNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                    List<AttributeProto> attributes) {
        this.name = name;
        this.opType = opType;
        this.domain = domain;
        this.inputs = inputs;
        this.outputs = outputs;
        this.attributes = attributes;
    }

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

    /** NodeProto's fields, by number and wire type (a length-delimited field is {@code number << 3 | 2}). */
    private static final int INPUT = 1 << 3 | 2;
    private static final int OUTPUT = 2 << 3 | 2;
    private static final int NAME = 3 << 3 | 2;
    private static final int OP_TYPE = 4 << 3 | 2;
    private static final int ATTRIBUTE = 5 << 3 | 2;
    private static final int DOMAIN = 7 << 3 | 2;
    private static final int METADATA_PROPS = 9 << 3 | 2;

    /**
     * Reads one {@code NodeProto} body (the stream limited to it) straight into a node, as protobuf's generated parser
     * reads it, without the message: the strings decoded as {@code getName()} decodes them (malformed UTF-8 replaced),
     * a repeated optional field's last value kept, attributes and metadata parsed by protobuf's own parsers (so a bad
     * one is refused as before), and every other field (doc_string, overload, unknown or mistyped fields) skipped as
     * the generated parser skips unknown ones. On issue 14's one-million-node chain the NodeProto messages were about
     * a third of the loader's allocation.
     *
     * @param shared   the op types and domains met so far in this file, filled as nodes are read
     * @param strings  reads the names from the file the stream reads ({@link Strings}); value names met lately are
     *                 one string ({@link #recent})
     * @param previous the outputs of the node read before this one: when this node reads exactly those, its input list
     *                 is that list (a chain of ops keeps one list per value, not two)
     */
    static RawNode read(com.google.protobuf.CodedInputStream input, java.util.Map<String, String> shared, Strings strings,
                        List<String> previous) throws java.io.IOException {
        String name = "";
        String opType = "";
        String domain = "";
        Names inputs = strings.inputs.clear();
        Names outputs = strings.outputs.clear();
        List<AttributeProto> attributes = null;
        com.google.protobuf.ExtensionRegistryLite registry = com.google.protobuf.ExtensionRegistryLite.getEmptyRegistry();
        while (true) {
            int tag = input.readTag();
            switch (tag) {
                case 0:
                    return new RawNode(name, share(opType, shared), share(domain, shared), inputs.list(previous),
                            outputs.list(List.of()), attributes == null ? List.of() : List.copyOf(attributes));
                case INPUT:
                    inputs.add(strings.recent(input));
                    break;
                case OUTPUT:
                    outputs.add(strings.recent(input));
                    break;
                case NAME:
                    name = strings.read(input);
                    break;
                case OP_TYPE:
                    opType = input.readString();
                    break;
                case DOMAIN:
                    domain = input.readString();
                    break;
                case ATTRIBUTE:
                    if (attributes == null) {
                        attributes = new ArrayList<>();
                    }
                    attributes.add(input.readMessage(AttributeProto.parser(), registry));
                    break;
                case METADATA_PROPS:
                    input.readMessage(dev.tally.load.onnx.proto.Onnx.StringStringEntryProto.parser(), registry);
                    break;
                default:
                    if (!input.skipField(tag)) {
                        // An end-group tag ends the message, as in the generated parser; the caller's check refuses it.
                        return new RawNode(name, share(opType, shared), share(domain, shared), inputs.list(previous),
                                outputs.list(List.of()), attributes == null ? List.of() : List.copyOf(attributes));
                    }
            }
        }
    }

    /**
     * A node's input or output names as they are read: the first two in fields, a list only from the third on (a node
     * reads one or two values mostly). Per node, an ArrayList and its copy were 250 bytes of garbage.
     */
    private static final class Names {
        private String first;
        private String second;
        private List<String> more;
        private int size;

        /** Empty again, for the next node (a reader keeps one for inputs and one for outputs). */
        Names clear() {
            first = null;
            second = null;
            more = null;
            size = 0;
            return this;
        }

        void add(String name) {
            if (size == 0) {
                first = name;
            } else if (size == 1) {
                second = name;
            } else {
                if (more == null) {
                    more = new ArrayList<>(4);
                    more.add(first);
                    more.add(second);
                }
                more.add(name);
            }
            size++;
        }

        /** The names as an immutable list: {@code same} itself when it holds these very strings, in order. */
        List<String> list(List<String> same) {
            if (same.size() == size && size > 0 && size <= 2 && same.get(0) == first && (size == 1 || same.get(1) == second)) {
                return same;
            }
            return switch (size) {
                case 0 -> List.of();
                case 1 -> List.of(first);
                case 2 -> List.of(first, second);
                default -> List.copyOf(more);
            };
        }
    }

    /**
     * Reads string fields of the graph's nodes as {@code CodedInputStream.readString} does (the same checks and errors,
     * malformed UTF-8 replaced), but from the mapped file through one scratch array: protobuf copies a string's bytes
     * into an array of their own and decodes that into another, two arrays per name (350 MB on issue 14's chain). A
     * value name met lately ({@link #recent}) is not decoded at all when its bytes are ASCII.
     */
    static final class Strings {
        /** The file the stream reads, from its first byte: the stream's bytes read so far are a position in it. */
        private final java.nio.ByteBuffer file;
        private final String[] recent = new String[RECENT];
        /** Recent names whose every char is ASCII, apart from {@link #recent}: compared byte for byte with the file's. */
        private final String[] recentAscii = new String[RECENT];
        private byte[] scratch = new byte[256];
        private byte[] known = new byte[256];
        /** The names of the node being read, kept here so that no node makes its own. */
        final Names inputs = new Names();
        final Names outputs = new Names();

        Strings(java.nio.ByteBuffer file) {
            this.file = file;
        }

        /** The next string field's value. */
        String read(com.google.protobuf.CodedInputStream input) throws java.io.IOException {
            int length = bytes(input);
            return length == 0 ? "" : new String(scratch, 0, length, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The next string field's value, as {@link RawNode#recent} gives it. */
        String recent(com.google.protobuf.CodedInputStream input) throws java.io.IOException {
            int length = bytes(input);
            if (length == 0) {
                return RawNode.recent("", recent);
            }
            // String.hashCode of the decoded name, when every byte is ASCII (UTF-8 decoding is then byte for char).
            int hash = 0;
            boolean ascii = true;
            for (int i = 0; i < length; i++) {
                byte b = scratch[i];
                ascii &= b >= 0;
                hash = 31 * hash + (b & 0xff);
            }
            if (!ascii) {
                return RawNode.recent(new String(scratch, 0, length, java.nio.charset.StandardCharsets.UTF_8), recent);
            }
            int slot = hash & (recentAscii.length - 1);
            String met = recentAscii[slot];
            // String.hashCode is kept in the string: a name met lately but not this one is told apart without a look.
            if (met != null && met.length() == length && met.hashCode() == hash && sameAscii(met, length)) {
                return met;
            }
            String text = new String(scratch, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
            recentAscii[slot] = text;
            return text;
        }

        /** The next string field's bytes, into {@link #scratch}; their count. Protobuf's own errors for a bad length. */
        private int bytes(com.google.protobuf.CodedInputStream input) throws java.io.IOException {
            int length = input.readRawVarint32();
            int at = input.getTotalBytesRead();
            input.skipRawBytes(length); // refuses a negative length or one past the message, as readString does
            if (length > scratch.length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            file.get(at, scratch, 0, length);
            return length;
        }

        /** Whether {@code met}, an ASCII string of {@code length} chars, is the bytes in {@link #scratch}. */
        @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) copies each char's low byte: all of an ASCII char
        private boolean sameAscii(String met, int length) {
            if (length > known.length) {
                known = new byte[Math.max(length, known.length * 2)];
            }
            // A copy and a compare of arrays (C1 compares them 8 bytes at a time): charAt per char was a tenth of the
            // parse on 28-character names.
            met.getBytes(0, length, known, 0);
            return java.util.Arrays.equals(known, 0, length, scratch, 0, length);
        }
    }

    /** How many recent value names {@link #recent} remembers: a power of two. */
    static final int RECENT = 1 << 13;

    /**
     * {@code text}, or an equal string met lately: a value is mostly read soon after the node that makes it, so the
     * reader's input and the maker's output become one string (48 MB fewer on a million-node chain). A fixed table
     * indexed by hash, not a map of every name, so it costs the same on any file.
     */
    static String recent(String text, String[] recent) {
        int slot = text.hashCode() & (recent.length - 1);
        String known = recent[slot];
        if (text.equals(known)) {
            return known;
        }
        recent[slot] = text;
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
