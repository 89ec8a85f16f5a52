package dev.tally.load.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.tally.ir.Folding;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.load.GraphChecks;
import dev.tally.load.Limits;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.ModelProto;
import dev.tally.load.onnx.proto.Onnx.OperatorSetIdProto;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads ONNX files into the IR without reading weight bytes: the file is memory-mapped and parsed with
 * aliasing, so each {@code raw_data} stays a view of the mapping that nothing touches, and params are counted
 * from initializer dims and data types. A 528 MB VGG16 parses in about a millisecond with a few MB of heap
 * ({@code performance-notes.md}). Initializers stored as external data are counted the same way, whether or
 * not their data file is present.
 */
public final class OnnxLoader {
    /** The oldest default-domain opset Tally reads; older exports use op versions no rule implements. */
    public static final long MIN_OPSET = 7;

    public Model load(Path path) {
        String file = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        MappedByteBuffer mapped = map(path, file);
        try {
            return convert(path, file, parse(file, mapped));
        } finally {
            // Every IR value is a copy (strings, dims, small constants), so the mapping can go now rather than
            // when the GC finds it: repeated loads in one process (tests, benchmarks) otherwise keep every
            // mapping's touched pages resident.
            Unmapper.unmap(mapped);
        }
    }

    private static Model convert(Path path, String file, Parsed parsed) {
        ModelProto proto = parsed.model();
        long opset = defaultOpset(file, proto);
        String producer = (proto.getProducerName() + " " + proto.getProducerVersion()).trim();
        boolean pytorch = proto.getProducerName().equals("pytorch");

        Path folder = path.toAbsolutePath().getParent();
        OnnxGraphReader reader = new OnnxGraphReader(file, folder, pytorch);
        Graph graph;
        try {
            graph = reader.read(proto.getGraph(), parsed.nodes(), true);
        } catch (IllegalArgumentException e) {
            // The IR records refuse what no valid ONNX file holds (an empty name, a negative dim).
            String reason = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\.$", "");
            throw new ModelException(file + ": " + reason + "; the file is damaged.", e);
        } catch (ArithmeticException e) {
            throw new ModelException(file + ": a tensor's element count overflows a 64-bit integer; the file is damaged.", e);
        }
        graph = GraphChecks.verify(file, graph);

        List<String> notes = new ArrayList<>();
        notes.add("ONNX opset " + opset + ", IR version " + proto.getIrVersion() + ".");
        Folding folding = pytorch ? foldedConvs(graph) : Folding.NONE;
        int folded = folding.batchNorms();
        if (folded > 0) {
            long c = folding.channels();
            notes.add("BatchNorm folded into " + folded + (folded == 1 ? " Conv node" : " Conv nodes") + " by the exporter ("
                    + String.format(java.util.Locale.ROOT, "%,d", c) + " channels): params count the folded Conv weights, so PyTorch's"
                    + " count as trained is " + String.format(java.util.Locale.ROOT, "%,d", c) + " higher if those Convs had no bias"
                    + " (torchvision's ResNets, MobileNets) or " + String.format(java.util.Locale.ROOT, "%,d", 2 * c)
                    + " if they had one (VGG-BN).");
        }
        if (!reader.foldedTensors().isEmpty()) {
            notes.add("The exporter computed " + reader.foldedTensors().size() + " tensors from parameters ahead of time ("
                    + String.format(java.util.Locale.ROOT, "%,d", reader.foldedElements()) + " elements, e.g. '"
                    + reader.foldedTensors().get(0) + "'): they count as constants, not params, and the parameters"
                    + " they came from are not in the file.");
        }
        if (!reader.absentExternalData().isEmpty()) {
            notes.add("Weights are stored outside the file (" + String.join(", ", reader.absentExternalData())
                    + ") and are absent: structure only.");
        }
        return new Model(path, ModelFormat.ONNX, producer, graph, notes, folding);
    }

    /**
     * Whether the first bytes look like an ONNX ModelProto: protobuf writers emit fields in number order, so a
     * model starts with field 1, {@code ir_version}, as a varint (tag 0x08) holding a small version number.
     */
    public static boolean looksLikeOnnx(byte[] head, int length) {
        // A one-byte varint in 1..127: every IR version so far (1 to 10) and plenty of room for more.
        return length >= 2 && head[0] == 0x08 && head[1] >= 1;
    }

    /** Maps the whole file read-only; reading it happens page by page, only where the parser looks. */
    static MappedByteBuffer map(Path path, String file) {
        if (!Files.exists(path)) {
            throw new ModelException(path + " does not exist; check the path.");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelException(path + " is not a file; give an ONNX model file.");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new ModelException(file + " is empty; it is not an ONNX model.");
            }
            if (size > Integer.MAX_VALUE) {
                throw new ModelException(file + " is larger than 2 GB, which a protobuf cannot be; save the model"
                        + " with external data (onnx.save_model(..., save_as_external_data=True)).");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read: " + e.getMessage() + ".", e);
        }
    }

    /**
     * A parsed file: the model without its graph's nodes, and those nodes read one by one.
     *
     * @param nodes the top-level graph's nodes, in file order
     */
    record Parsed(ModelProto model, List<RawNode> nodes) {
    }

    /** ModelProto.graph and GraphProto.node, as length-delimited fields: the tags the streamed parse looks for. */
    private static final int GRAPH_TAG = (7 << 3) | 2;
    private static final int NODE_TAG = (1 << 3) | 2;

    /** Parses the mapped file with aliasing; every way a file can fail to be ONNX gets one sentence. */
    static Parsed parse(String file, MappedByteBuffer mapped) {
        int size = mapped.capacity();
        byte[] head = {mapped.get(0), size > 1 ? mapped.get(1) : 0};
        // unsafeWrap marks the bytes immutable, which is what lets the parser alias them instead of
        // copying every raw_data onto the heap (CodedInputStream.newInstance(buffer) would copy).
        ByteString whole = UnsafeByteOperations.unsafeWrap(mapped);
        CodedInputStream input = aliased(whole, NESTING);
        ModelProto model;
        List<RawNode> nodes = new ArrayList<>();
        try {
            model = parseModel(file, whole, input, nodes);
            if (!input.isAtEnd()) {
                throw notOnnx(file, "the protobuf ends before the file does");
            }
        } catch (InvalidProtocolBufferException e) {
            throw unparsable(file, size, head, e.getMessage());
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read: " + e.getMessage() + ".", e);
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unparsable(file, size, head, e.toString());
        }
        if (!model.hasIrVersion() || model.getIrVersion() < 1 || model.getIrVersion() > 100) {
            throw notOnnx(file, "it has no ONNX IR version");
        }
        if (!model.hasGraph()) {
            if (model.getUnknownFields().asMap().isEmpty() && looksLikeOnnx(head, Math.min(size, 2))) {
                throw new ModelException(file + " holds an ONNX header but no graph (" + size
                        + " bytes); the file is truncated or incomplete, so re-export or re-copy it.");
            }
            throw notOnnx(file, "it holds no ONNX graph");
        }
        if (!model.getUnknownFields().asMap().isEmpty() && nodes.isEmpty()) {
            throw notOnnx(file, "its fields are not ONNX's");
        }
        return new Parsed(model, nodes);
    }

    /** Protobuf's default nesting limit, which the one-message parse applies from the ModelProto down. */
    private static final int NESTING = 100;

    /**
     * A stream over {@code bytes} whose messages may nest {@code levels} deep: the graph's own level is read here,
     * not by protobuf, so what is inside it gets one level less, as in one parse of the whole file.
     */
    private static CodedInputStream aliased(ByteString bytes, int levels) {
        CodedInputStream input = bytes.newCodedInput();
        input.enableAliasing(true);
        input.setSizeLimit(Integer.MAX_VALUE);
        input.setRecursionLimit(levels);
        return input;
    }

    /**
     * What {@code ModelProto.parseFrom(input)} gives, except that the graph's nodes go to {@code nodes} one by one,
     * each read straight into a {@link RawNode} ({@link RawNode#read} reads what protobuf's NodeProto parser reads),
     * never held as messages. Every other field is handed to the generated parser as its own slice of the file, so it reads, merges
     * and refuses exactly as it would in one parse.
     */
    private static ModelProto parseModel(String file, ByteString whole, CodedInputStream input, List<RawNode> nodes)
            throws IOException {
        ModelProto.Builder model = ModelProto.newBuilder();
        GraphProto.Builder graph = null;
        java.util.Map<String, String> shared = new java.util.HashMap<>();
        RawNode.Strings strings = new RawNode.Strings(whole.asReadOnlyByteBuffer());
        while (true) {
            int start = input.getTotalBytesRead();
            int tag = input.readTag();
            if (tag == 0) {
                break;
            }
            if (tag == GRAPH_TAG) {
                graph = graph == null ? GraphProto.newBuilder() : graph;
                int length = input.readRawVarint32();
                int limit = input.pushLimit(length);
                input.setRecursionLimit(NESTING - 1);
                parseGraph(file, whole, input, graph, nodes, shared, strings);
                input.checkLastTagWas(0);
                input.setRecursionLimit(NESTING);
                input.popLimit(limit);
                continue;
            }
            if (!input.skipField(tag)) {
                break; // an end-group tag ends the message, as in the generated parser
            }
            model.mergeFrom(aliased(whole.substring(start, input.getTotalBytesRead()), NESTING));
        }
        if (graph != null) {
            model.setGraph(graph);
        }
        return model.buildPartial();
    }

    private static void parseGraph(String file, ByteString whole, CodedInputStream input, GraphProto.Builder graph,
                                   List<RawNode> nodes, java.util.Map<String, String> shared, RawNode.Strings strings)
            throws IOException {
        long maxNodes = Limits.nodes();
        List<RawNode> read = nodes.isEmpty() ? TwoThreads.nodes(whole, input, maxNodes) : null;
        if (read != null) {
            nodes.addAll(read);
        }
        while (true) {
            int start = input.getTotalBytesRead();
            int tag = input.readTag();
            if (tag == 0) {
                return;
            }
            if (tag == NODE_TAG && read != null) {
                input.skipRawBytes(input.readRawVarint32()); // read on two threads already, each checked there
                continue;
            }
            if (tag == NODE_TAG) {
                if (nodes.size() >= maxNodes) {
                    // Refused before the node is read: a graph-only file past the limit costs no more than one at it.
                    throw Limits.tooManyNodes(file, maxNodes);
                }
                nodes.add(readNode(input, shared, strings, nodes.isEmpty() ? List.of() : nodes.get(nodes.size() - 1).getOutputList()));
                continue;
            }
            if (!input.skipField(tag)) {
                return;
            }
            graph.mergeFrom(aliased(whole.substring(start, input.getTotalBytesRead()), NESTING - 1));
        }
    }

    /** Reads node {@code index} of the graph at the stream's position (its tag read), as one parse of the file does. */
    private static RawNode readNode(CodedInputStream input, java.util.Map<String, String> shared, RawNode.Strings strings,
                                    List<String> previous) throws IOException {
        // What input.readMessage(NodeProto.parser(), ...) does around the message: its length, a limit, one level of
        // nesting more for what is inside it (attributes and their subgraphs), and the end-tag check.
        int length = input.readRawVarint32();
        int limit = input.pushLimit(length);
        input.setRecursionLimit(NESTING - 2);
        RawNode node = RawNode.read(input, shared, strings, previous);
        input.checkLastTagWas(0);
        input.setRecursionLimit(NESTING - 1);
        input.popLimit(limit);
        return node;
    }

    /**
     * A large graph's nodes read in two halves at once, on two threads: on issue 14's one-million-node chain the node
     * parse was a second of one core while the other waited. A first pass walks the graph's fields (tags and lengths
     * only) to find where the second half starts; each half then reads its nodes from a stream of its own over the
     * graph's bytes, with the same limits, checks and nesting as one parse. Anything out of the ordinary (a field the
     * walk cannot frame, more nodes than the limit, a node either half refuses, a failure of the helper thread) gives
     * up, and the file is read again by the one-thread parse, so every error is the one that parse gives, for the
     * first bad node in the file.
     */
    static final class TwoThreads {
        /** Graphs of fewer nodes are read on one thread (tests lower it, to read small graphs both ways). */
        static volatile int nodes = dev.tally.util.SecondThread.GRAPH_NODES;
        /** Graph fields shorter than this are not walked first: too few nodes to gain (tests lower it). */
        static volatile int bytes = 1 << 20;
        /** How many graphs this process read on two threads (tests check that the path they mean ran). */
        static final java.util.concurrent.atomic.AtomicLong READ = new java.util.concurrent.atomic.AtomicLong();

        private TwoThreads() {
        }

        /**
         * The graph's nodes, or null to read them on one thread.
         *
         * @param input the model's stream at the start of the graph field's body, the graph's limit pushed; not moved
         */
        static List<RawNode> nodes(ByteString whole, CodedInputStream input, long maxNodes) {
            int begin = input.getTotalBytesRead();
            int length = input.getBytesUntilLimit();
            if (length < bytes) {
                return null;
            }
            int[] starts;
            int count;
            try {
                CodedInputStream walk = graphStream(whole, begin, length);
                starts = new int[1024];
                count = 0;
                while (true) {
                    int start = walk.getTotalBytesRead();
                    int tag = walk.readTag();
                    if (tag == 0) {
                        break;
                    }
                    if (tag == NODE_TAG) {
                        if (count >= maxNodes) {
                            return null; // the one-thread parse refuses it, or an earlier bad node, as it always did
                        }
                        if (count == starts.length) {
                            starts = java.util.Arrays.copyOf(starts, (int) Math.min(Integer.MAX_VALUE - 8, starts.length * 2L));
                        }
                        starts[count++] = start;
                        walk.skipRawBytes(walk.readRawVarint32());
                    } else if (!walk.skipField(tag)) {
                        return null;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
            if (count < nodes) {
                return null;
            }
            int half = count / 2;
            int total = count;
            int secondStart = starts[half];
            // The second half's nodes, or what it threw; join() waits whatever interrupts this thread.
            java.util.concurrent.CompletableFuture<Object> second = new java.util.concurrent.CompletableFuture<>();
            Thread helper = new Thread(() -> {
                try {
                    second.complete(read(whole, begin, length, secondStart, total - half));
                } catch (Throwable t) {
                    second.complete(t);
                }
            }, "tally-nodes");
            helper.setDaemon(true);
            helper.start();
            List<RawNode> first;
            Object rest;
            try {
                first = read(whole, begin, length, starts[0], half);
            } catch (IOException | RuntimeException e) {
                first = null;
            } finally {
                rest = second.join(); // the helper is done before this thread goes on, whatever it threw
            }
            if (rest instanceof Error error) {
                throw error; // out of memory: the one-thread parse would be out of it too
            }
            if (first == null || !(rest instanceof List<?>)) {
                return null;
            }
            List<RawNode> all = new ArrayList<>(count);
            all.addAll(first);
            for (Object node : (List<?>) rest) {
                all.add((RawNode) node);
            }
            READ.incrementAndGet();
            return all;
        }

        /** {@code count} nodes from the one whose tag is at {@code from}, other fields between them skipped. */
        private static List<RawNode> read(ByteString whole, int begin, int length, int from, int count) throws IOException {
            CodedInputStream input = graphStream(whole, begin, length);
            input.skipRawBytes(from - begin);
            java.util.Map<String, String> shared = new java.util.HashMap<>();
            RawNode.Strings strings = new RawNode.Strings(whole.asReadOnlyByteBuffer());
            List<RawNode> nodes = new ArrayList<>(count);
            while (nodes.size() < count) {
                int tag = input.readTag();
                if (tag != NODE_TAG) {
                    if (tag == 0 || !input.skipField(tag)) {
                        throw new IOException("the graph ended before its nodes did");
                    }
                    continue;
                }
                nodes.add(readNode(input, shared, strings, nodes.isEmpty() ? List.of() : nodes.get(nodes.size() - 1).getOutputList()));
            }
            return nodes;
        }

        /**
         * A stream over the whole file at the graph field's body, limited to it and nested as the model's parse is. Over
         * a buffer of its own: an aliasing stream sets its buffer's position and limit to slice a bytes field (an
         * attribute's name or tensor), so two streams on one buffer would move each other's.
         */
        private static CodedInputStream graphStream(ByteString whole, int begin, int length) throws IOException {
            CodedInputStream input = aliased(UnsafeByteOperations.unsafeWrap(whole.asReadOnlyByteBuffer()), NESTING);
            input.skipRawBytes(begin);
            input.pushLimit(length);
            input.setRecursionLimit(NESTING - 1);
            return input;
        }
    }

    private static ModelException unparsable(String file, long size, byte[] head, String reason) {
        boolean truncated = reason != null && reason.contains("input ended unexpectedly");
        if (truncated && head[0] == 0x08) {
            return new ModelException(file + " is truncated: it ends in the middle of the model after " + size
                    + " bytes; re-export or re-copy it.");
        }
        return notOnnx(file, "it does not parse as a protobuf message");
    }

    private static ModelException notOnnx(String file, String why) {
        return new ModelException(file + " is not an ONNX model: " + why + ".");
    }

    /** The default-domain opset, which must be {@value #MIN_OPSET} or later. */
    private static long defaultOpset(String file, ModelProto model) {
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            if (opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx")) {
                if (opset.getVersion() < MIN_OPSET) {
                    throw new ModelException(file + " uses ONNX opset " + opset.getVersion() + ", and Tally reads opset "
                            + MIN_OPSET + " and later; re-export it with a newer opset (torch.onnx.export(...,"
                            + " opset_version=13)).");
                }
                return opset.getVersion();
            }
        }
        if (model.getIrVersion() < 3) {
            throw new ModelException(file + " uses ONNX IR version " + model.getIrVersion() + ", which predates opset "
                    + MIN_OPSET + "; re-export it with a newer exporter.");
        }
        throw new ModelException(file + " declares no default ONNX opset (opset_import); the file is truncated or"
                + " was not written by an ONNX exporter.");
    }

    /**
     * Conv nodes into which torch.onnx folded a BatchNorm: the folded weight is a new initializer named
     * {@code onnx::Conv_<n>} with a bias, and no BatchNormalization node is left in the layer.
     */
    private static Folding foldedConvs(Graph graph) {
        Set<String> layersWithBatchNorm = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (node.opType().equals("BatchNormalization")) {
                layersWithBatchNorm.add(node.layer());
            }
        }
        int folded = 0;
        long channels = 0;
        List<String> convs = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (!node.opType().equals("Conv") || node.inputs().size() < 3 || node.inputs().get(2).isEmpty()) {
                continue;
            }
            Param weight = graph.params().get(node.inputs().get(1));
            if (weight != null && weight.sourceName().startsWith("onnx::Conv_")
                    && !layersWithBatchNorm.contains(node.layer())) {
                folded++;
                convs.add(node.name());
                // The BatchNorm had one channel per output channel of the Conv: weight shape [Cout, Cin/g, k...].
                channels = Math.addExact(channels, weight.shape().dims().get(0));
            }
        }
        return new Folding(folded, channels, convs, -1);
    }
}
