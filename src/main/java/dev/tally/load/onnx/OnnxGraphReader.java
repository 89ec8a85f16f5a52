package dev.tally.load.onnx;

import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import dev.tally.ir.ValueIds;
import dev.tally.load.Limits;
import dev.tally.load.onnx.proto.Onnx.AttributeProto;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.SparseTensorProto;
import dev.tally.load.onnx.proto.Onnx.TensorProto;
import dev.tally.load.onnx.proto.Onnx.TensorShapeProto;
import dev.tally.load.onnx.proto.Onnx.TypeProto;
import dev.tally.load.onnx.proto.Onnx.ValueInfoProto;
import dev.tally.util.SecondThread;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns one ONNX {@code GraphProto} (the model's graph or a subgraph) into an IR {@link Graph}: initializers
 * become {@link Param}s counted from dims and data type, small integer tensors become known constants, node
 * names give layers, attributes become typed {@link Attribute}s.
 *
 * <p>How an initializer's role is decided, since ONNX has no trainable flag:
 * <ul>
 *   <li>the mean and variance inputs (4th and 5th) of BatchNormalization are BUFFERs;</li>
 *   <li>integer and bool tensors are CONSTANTs (shape arithmetic, indices);</li>
 *   <li>floating tensors are PARAMs, except an exporter constant: at most {@value #SMALL_FLOAT_LIMIT} elements,
 *       a name the exporter made up ({@code onnx::Mul_12}, {@code /Constant_output_0}, {@code 123}) rather
 *       than a module path, and no node reads it as a weight (Conv/Gemm/MatMul/normalization operands).
 *       torch.onnx names every parameter after its state-dict entry, and folded weights (BatchNorm into Conv,
 *       transposed Linear weights) feed weight operands, so both stay PARAMs and params equal PyTorch's.</li>
 *   <li>in a torch.onnx export, a floating tensor of any size with a made-up name that no node reads as a weight
 *       is a result the exporter computed from parameters ahead of time (swin_t's relative position bias,
 *       {@code onnx::Add_6922}, 1x3x49x49, gathered from a 169x3 table): a CONSTANT, reported in a note, since it
 *       is not a parameter of the PyTorch model and counting it would overstate params by 308,016.</li>
 * </ul>
 */
final class OnnxGraphReader {
    /** Tensors up to this many elements get their values read, so shape computations see them. */
    static final long CONSTANT_VALUE_LIMIT = 1024;
    /** Floating tensors up to this many elements get their values read (scales of Resize, exponents of Pow). */
    static final long SMALL_FLOAT_LIMIT = 16;

    /**
     * Top-level graphs of this many nodes or more have their value ids found on a second thread while their nodes are
     * made. Tests lower it.
     */
    static volatile int twoThreads = SecondThread.GRAPH_NODES;
    /** How many graphs had their value ids found beside their nodes, for tests. */
    static final java.util.concurrent.atomic.AtomicInteger IDS_BESIDE = new java.util.concurrent.atomic.AtomicInteger();

    private static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx");
    /** Ops whose operands past the data input (all operands for products) are weights. */
    private static final Set<String> WEIGHT_READERS = Set.of("Conv", "ConvTranspose", "ConvInteger", "Gemm", "MatMul",
            "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization", "PRelu",
            "LSTM", "GRU", "RNN", "Einsum");

    private final String file;
    private final boolean pytorch;
    private final Set<String> absentExternal;
    private final Map<String, Boolean> externalPresent;
    private final List<String> folded;
    private final long[] foldedElements;
    /** Nodes read so far in the model, its subgraphs included, against {@link Limits#nodes()}. */
    private final long[] nodeCount;
    private final java.nio.file.Path folder;
    /** How many graphs enclose this one: 0 for the model's graph. */
    private final int depth;
    /** Subgraphs (If, Loop and Scan bodies) nest at most this deep, so no file decides how deep reading recurses. */
    static final int MAX_DEPTH = 16;

    /**
     * @param file    the file name messages start with
     * @param folder  where external data files are looked for
     * @param pytorch whether torch.onnx wrote the file (its initializer deduplication is undone)
     */
    OnnxGraphReader(String file, java.nio.file.Path folder, boolean pytorch) {
        this.file = file;
        this.folder = folder;
        this.pytorch = pytorch;
        this.absentExternal = new LinkedHashSet<>();
        this.externalPresent = new HashMap<>();
        this.folded = new ArrayList<>();
        this.foldedElements = new long[1];
        this.nodeCount = new long[1];
        this.depth = 0;
    }

    /** A reader for a subgraph, whose findings (absent data files, folded tensors) join its parent's. */
    private OnnxGraphReader(OnnxGraphReader parent) {
        this.file = parent.file;
        this.folder = parent.folder;
        this.pytorch = parent.pytorch;
        this.absentExternal = parent.absentExternal;
        this.externalPresent = parent.externalPresent;
        this.folded = parent.folded;
        this.foldedElements = parent.foldedElements;
        this.nodeCount = parent.nodeCount;
        this.depth = parent.depth + 1;
    }

    /** Locations of external data files the model names but that are not beside it, in first-use order. */
    Set<String> absentExternalData() {
        return absentExternal;
    }

    /** Large floating tensors torch.onnx computed from parameters ahead of time, counted as CONSTANTs. */
    List<String> foldedTensors() {
        return folded;
    }

    long foldedElements() {
        return foldedElements[0];
    }

    Graph read(GraphProto proto, boolean topLevel) {
        return read(proto, RawNode.of(proto.getNodeList()), topLevel);
    }

    /** @param nodeList the graph's nodes, read apart from {@code proto} (whose own node list is then empty) */
    Graph read(GraphProto proto, List<RawNode> nodeList, boolean topLevel) {
        // The model's own nodes were counted as they were read (OnnxLoader.parse); a subgraph's join them here.
        nodeCount[0] += nodeList.size();
        long limit = Limits.nodes();
        if (nodeCount[0] > limit) {
            throw Limits.tooManyNodes(file, limit);
        }
        Map<String, Param> params = new LinkedHashMap<>();
        Map<String, ConstTensor> constants = new LinkedHashMap<>();
        Map<String, TensorProto> stored = initializers(proto);

        // Large Constant nodes become stored tensors (their bytes are never read); the others stay nodes, except the
        // quantized weights and biases DequantizeLinear reads, which are params however small (a 64-channel bias).
        Set<String> quantizedData = quantizedData(nodeList);
        // Without a Constant node every node is kept: the same list (a graph of a million ops is not copied).
        List<RawNode> kept = anyOp(nodeList, "Constant") ? new ArrayList<>(nodeList.size()) : nodeList;
        Map<String, TensorProto> largeConstants = new LinkedHashMap<>();
        for (int i = 0; kept != nodeList && i < nodeList.size(); i++) {
            RawNode node = nodeList.get(i);
            Optional<TensorProto> large = largeConstantValue(node, quantizedData);
            if (large.isPresent() && node.getOutputCount() == 1 && !node.getOutput(0).isEmpty()) {
                largeConstants.put(node.getOutput(0), large.get());
            } else {
                kept.add(node);
            }
        }

        // torch.onnx (eval mode) merges initializers with equal values and names the merged ones through
        // Identity nodes (bn.running_mean = Identity(a.bias) when both are zeros); each such name is a tensor of
        // its own in PyTorch, so it becomes a stored tensor again and counts as PyTorch counts it.
        Map<String, String> aliasOf = new LinkedHashMap<>();
        if (pytorch && topLevel) {
            List<RawNode> unaliased = new ArrayList<>(kept.size());
            for (RawNode node : kept) {
                // An alias under a made-up name (onnx::Mul_3000) is the same tensor read by another call of the same
                // module (FCOS's head runs once per FPN level): it stays an Identity node, counted once.
                if (isDefaultDomain(node) && node.getOpType().equals("Identity") && node.getInputCount() == 1
                        && node.getOutputCount() == 1 && !node.getOutput(0).isEmpty()
                        && !isExporterName(node.getOutput(0))
                        && !stored.containsKey(node.getOutput(0))
                        && (stored.containsKey(node.getInput(0)) || aliasOf.containsKey(node.getInput(0)))) {
                    String source = node.getInput(0);
                    aliasOf.put(node.getOutput(0), aliasOf.getOrDefault(source, source));
                } else {
                    unaliased.add(node);
                }
            }
            kept = unaliased;
        }

        Map<String, TensorProto> storedHere = stored;
        Map<String, String> aliases = aliasOf;
        Map<String, Uses> uses = uses(kept, name -> storedHere.containsKey(name) || aliases.containsKey(name)
                || largeConstants.containsKey(name), !stored.isEmpty() || !aliasOf.isEmpty() || !largeConstants.isEmpty());
        for (Map.Entry<String, TensorProto> entry : stored.entrySet()) {
            addStored(entry.getKey(), entry.getKey(), entry.getValue(), "initializer", uses, params, constants);
        }
        for (Map.Entry<String, String> alias : aliasOf.entrySet()) {
            addStored(alias.getKey(), alias.getValue(), stored.get(alias.getValue()), "initializer", uses, params,
                    constants);
        }
        for (Map.Entry<String, TensorProto> entry : largeConstants.entrySet()) {
            TensorProto tensor = entry.getValue();
            String what = "Constant '" + entry.getKey() + "'";
            DType dtype = dtype(what, tensor);
            // torch.onnx stores every parameter as an initializer: a large Constant node it wrote that no node reads as
            // a weight is a value it made (deepspeech's 2 x 1 x 2048 zeros, the RNN's initial state), not a parameter.
            Uses use = uses.getOrDefault(entry.getKey(), new Uses());
            boolean made = pytorch && !use.asWeight;
            params.put(entry.getKey(), new Param(entry.getKey(), OnnxTensors.shape(file, what, tensor), dtype,
                    use.quantized || dtype.isFloatingPoint() && !made ? Role.PARAM : Role.CONSTANT));
        }
        for (SparseTensorProto sparse : proto.getSparseInitializerList()) {
            String name = sparse.getValues().getName();
            DType dtype = dtype("sparse initializer '" + name + "'", sparse.getValues());
            long[] dims = sparse.getDimsList().stream().mapToLong(Long::longValue).toArray();
            params.put(name, new Param(name, Shape.of(dims), dtype, dtype.isFloatingPoint() ? Role.PARAM : Role.CONSTANT));
        }

        List<Value> inputs = new ArrayList<>();
        for (ValueInfoProto input : proto.getInputList()) {
            // Exporters before IR version 4 list every initializer as a graph input too.
            if (!stored.containsKey(input.getName())) {
                inputs.add(value(input));
            }
        }
        List<Value> outputs = new ArrayList<>();
        for (ValueInfoProto output : proto.getOutputList()) {
            outputs.add(value(output));
        }
        if (!topLevel || kept.size() < twoThreads) {
            return new Graph(proto.getName(), inputs, outputs, nodes(kept), params, constants);
        }
        // A large graph's value ids are found on a second thread while this one makes its nodes: they need only the
        // names, which the nodes keep as they are read (issue 14's chain: 0.2 s of a million names each way).
        List<RawNode> read = kept;
        ValueIds[] ids = new ValueIds[1];
        SecondThread helper = SecondThread.start("tally-ids", () -> ids[0] = ValueIds.of(inputs, params.keySet(),
                constants.keySet(), read.size(), i -> read.get(i).getInputList(), i -> read.get(i).getOutputList()));
        List<Node> nodes;
        try {
            nodes = nodes(kept);
        } catch (RuntimeException e) {
            helper.join(e);
            throw e;
        }
        helper.join(null);
        IDS_BESIDE.incrementAndGet();
        return new Graph(proto.getName(), inputs, outputs, nodes, params, constants, ids[0]);
    }

    private Map<String, TensorProto> initializers(GraphProto proto) {
        Map<String, TensorProto> stored = new LinkedHashMap<>();
        for (int i = 0; i < proto.getInitializerCount(); i++) {
            TensorProto tensor = proto.getInitializer(i);
            if (tensor.getName().isEmpty()) {
                throw new ModelException(file + ": initializer #" + i + " has no name, so no node can read it; the file is damaged.");
            }
            if (stored.put(tensor.getName(), tensor) != null) {
                throw new ModelException(file + ": initializer '" + tensor.getName()
                        + "' is stored twice; every value must have exactly one producer.");
            }
        }
        return stored;
    }

    /**
     * The values DequantizeLinear reads as its {@code x} from the graph's own nodes: torch.onnx writes a quantized
     * model's int8 weights and int32 biases as Constant nodes read there (scale and zero point beside them).
     */
    private static Set<String> quantizedData(List<RawNode> nodes) {
        Set<String> data = new HashSet<>();
        for (RawNode node : nodes) {
            if (node.getOpType().equals("DequantizeLinear") && isDefaultDomain(node) && node.getInputCount() > 0) {
                data.add(node.getInput(0));
            }
        }
        return data;
    }

    /** Whether any of {@code nodes} is the default domain's op {@code opType}. */
    private static boolean anyOp(List<RawNode> nodes, String opType) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getOpType().equals(opType) && isDefaultDomain(nodes.get(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The value of a Constant node too large to read, or whose data is not in the file, or that is quantized data
     * (a stored tensor DequantizeLinear reads as {@code x}: a quantized weight or bias).
     */
    private Optional<TensorProto> largeConstantValue(RawNode node, Set<String> quantizedData) {
        if (!isDefaultDomain(node) || !node.getOpType().equals("Constant")) {
            return Optional.empty();
        }
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals("value") && attribute.hasT()) {
                TensorProto tensor = attribute.getT();
                String what = "Constant '" + node.getName() + "'";
                long numel = OnnxTensors.shape(file, what, tensor).numel();
                boolean quantized = node.getOutputCount() == 1 && quantizedData.contains(node.getOutput(0));
                boolean readable = !quantized && numel <= CONSTANT_VALUE_LIMIT
                        && OnnxTensors.values(file, what, tensor, dtype(what, tensor), numel).isPresent();
                return readable ? Optional.empty() : Optional.of(tensor);
            }
        }
        return Optional.empty();
    }

    /** How nodes read each value: whether as a weight operand, and whether as BatchNorm statistics. */
    private static final class Uses {
        boolean asWeight;
        boolean asStatistics;
        /** Read as what Expand broadcasts or as a piece Concat joins: data moved, not computed with. */
        boolean moved;
        /** Read as DequantizeLinear's {@code x}: a quantized weight or bias, a param whatever its integer type. */
        boolean quantized;
        /** Read as a scale or zero point of QuantizeLinear or DequantizeLinear: part of a quantized tensor's type. */
        boolean quantization;
    }

    /**
     * @param stored whether a value is a stored tensor (an initializer, an alias of one, a large Constant): the only
     *               values whose uses are read. Uses are kept for those and for the values an Identity passes on (which
     *               lead to them), not for every activation: a million-node chain made a million entries here.
     * @param anyStored whether {@code stored} holds for any value at all
     */
    private static Map<String, Uses> uses(List<RawNode> nodes, java.util.function.Predicate<String> stored, boolean anyStored) {
        Map<String, Uses> uses = new HashMap<>();
        // A use of an Identity's output is a use of what it passes on (an initializer read again under another name).
        Map<String, String> passedOn = new HashMap<>();
        boolean instanceNorm = false;
        boolean reduceL2 = false;
        for (RawNode node : nodes) {
            // The op type first: most nodes are none of these, and a String.equals of another length is quick.
            if (node.getOpType().equals("Identity") && isDefaultDomain(node) && node.getInputCount() == 1 && node.getOutputCount() == 1) {
                passedOn.put(node.getOutput(0), node.getInput(0));
            }
            instanceNorm |= node.getOpType().equals("InstanceNormalization") && isDefaultDomain(node);
            reduceL2 |= node.getOpType().equals("ReduceL2") && isDefaultDomain(node);
        }
        // With no stored tensor and no Identity no input is one whose uses are kept (a graph-only file: no pass at all).
        for (int n = 0; (anyStored || !passedOn.isEmpty()) && n < nodes.size(); n++) {
            RawNode node = nodes.get(n);
            String op = node.getOpType();
            boolean weightReader = isDefaultDomain(node) && WEIGHT_READERS.contains(op);
            boolean product = op.equals("Gemm") || op.equals("MatMul") || op.equals("Einsum");
            boolean recurrent = op.equals("LSTM") || op.equals("GRU") || op.equals("RNN");
            for (int i = 0; i < node.getInputCount(); i++) {
                String name = node.getInput(i);
                if (!stored.test(name) && !passedOn.containsKey(name)) {
                    continue;
                }
                Uses use = uses.computeIfAbsent(name, k -> new Uses());
                // A recurrent op's W, R, B and P are weights; sequence_lens, initial_h and initial_c (4 to 6) are not.
                use.asWeight |= weightReader && (i >= 1 || product) && !(recurrent && i >= 4 && i <= 6);
                use.asWeight |= op.equals("Gather") && i == 0;
                use.asStatistics |= op.equals("BatchNormalization") && (i == 3 || i == 4);
                use.moved |= isDefaultDomain(node) && (op.equals("Expand") && i == 0 || op.equals("Concat"));
                boolean linearQuantization = isDefaultDomain(node) && (op.equals("DequantizeLinear") || op.equals("QuantizeLinear"));
                use.quantized |= linearQuantization && op.startsWith("De") && i == 0;
                use.quantization |= linearQuantization && i >= 1;
            }
        }
        // Each pattern starts at a node of its own op (an InstanceNormalization, a ReduceL2); without one, its maps of
        // every value are not made.
        if (instanceNorm) {
            groupNormAffine(nodes, uses);
        }
        if (reduceL2) {
            l2NormScale(nodes, uses);
        }
        if (!passedOn.isEmpty()) {
            Map<String, Uses> direct = new HashMap<>(uses);
            for (Map.Entry<String, Uses> use : direct.entrySet()) {
                String source = use.getKey();
                // At most as many steps as there are Identity nodes, so a cycle in a damaged file cannot loop forever.
                for (int step = 0; step < passedOn.size() && passedOn.containsKey(source); step++) {
                    source = passedOn.get(source);
                    Uses target = uses.computeIfAbsent(source, k -> new Uses());
                    target.asWeight |= use.getValue().asWeight;
                    target.asStatistics |= use.getValue().asStatistics;
                    target.moved |= use.getValue().moved;
                    target.quantized |= use.getValue().quantized;
                    target.quantization |= use.getValue().quantization;
                }
            }
        }
        return uses;
    }

    /**
     * torch.onnx writes {@code group_norm} (opsets 9 to 17) as Reshape to N x G x -1, InstanceNormalization with a
     * scale of ones and a bias of zeros per group, Reshape back, then {@code Mul} by the module's weight and {@code Add}
     * of its bias, each unsqueezed to C x 1 x ... and stored under a made-up name ({@code onnx::Mul_1312}). Those two
     * operands are the GroupNorm's parameters (conv_tasnet_base's 49 GroupNorms hold 50,176, FCOS's head 4,096), so
     * they are read as weights.
     */
    private static void groupNormAffine(List<RawNode> nodes, Map<String, Uses> uses) {
        Map<String, RawNode> producers = new HashMap<>();
        Map<String, RawNode> onlyConsumer = new HashMap<>();
        Set<String> manyConsumers = new HashSet<>();
        for (RawNode node : nodes) {
            node.getOutputList().forEach(output -> producers.put(output, node));
            for (String input : node.getInputList()) {
                if (onlyConsumer.putIfAbsent(input, node) != null) {
                    manyConsumers.add(input);
                }
            }
        }
        for (RawNode mul : nodes) {
            if (!isDefaultDomain(mul) || !mul.getOpType().equals("Mul") || mul.getInputCount() != 2 || mul.getOutputCount() != 1) {
                continue;
            }
            RawNode reshape = producers.get(mul.getInput(0));
            RawNode norm = reshape == null || !reshape.getOpType().equals("Reshape") || reshape.getInputCount() < 1
                    ? null : producers.get(reshape.getInput(0));
            if (norm == null || !isDefaultDomain(norm) || !norm.getOpType().equals("InstanceNormalization")) {
                continue;
            }
            uses.computeIfAbsent(mul.getInput(1), k -> new Uses()).asWeight = true;
            String scaled = mul.getOutput(0);
            RawNode add = manyConsumers.contains(scaled) ? null : onlyConsumer.get(scaled);
            if (add != null && isDefaultDomain(add) && add.getOpType().equals("Add") && add.getInputCount() == 2
                    && add.getInput(0).equals(scaled)) {
                uses.computeIfAbsent(add.getInput(1), k -> new Uses()).asWeight = true;
            }
        }
    }

    /**
     * {@code F.normalize(x, dim=1) * weight}, an L2 norm with a learned scale per channel (ssd300_vgg16's L2Norm), is
     * written by torch.onnx as {@code Div(x, Expand(Clip(ReduceL2(x))))} and a {@code Mul} by the weight, folded from
     * {@code scale_weight.view(1, -1, 1, 1)} into 1 x 512 x 1 x 1 under a made-up name ({@code onnx::Mul_3543}). That
     * operand is the module's parameter, so it is read as a weight. The pattern, not the shape, decides: a per-channel
     * tensor the exporter computed from buffers (a FrozenBatchNorm's scale) has the same shape and is no parameter.
     */
    private static void l2NormScale(List<RawNode> nodes, Map<String, Uses> uses) {
        Map<String, RawNode> producers = new HashMap<>();
        for (RawNode node : nodes) {
            node.getOutputList().forEach(output -> producers.put(output, node));
        }
        for (RawNode mul : nodes) {
            if (!isDefaultDomain(mul) || !mul.getOpType().equals("Mul") || mul.getInputCount() != 2) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                RawNode div = producers.get(mul.getInput(side));
                if (div != null && isDefaultDomain(div) && div.getOpType().equals("Div") && div.getInputCount() == 2
                        && isL2Norm(producers, div.getInput(1))) {
                    uses.computeIfAbsent(mul.getInput(1 - side), k -> new Uses()).asWeight = true;
                }
            }
        }
    }

    /** Whether {@code value} is a ReduceL2, reached through at most three Expand, Clip or Max nodes (the eps clamp). */
    private static boolean isL2Norm(Map<String, RawNode> producers, String value) {
        RawNode node = producers.get(value);
        for (int step = 0; step < 4 && node != null && isDefaultDomain(node); step++) {
            switch (node.getOpType()) {
                case "ReduceL2":
                    return true;
                case "Expand", "Clip", "Max":
                    node = node.getInputCount() == 0 ? null : producers.get(node.getInput(0));
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    private void addStored(String name, String sourceName, TensorProto tensor, String kind, Map<String, Uses> uses,
                           Map<String, Param> params, Map<String, ConstTensor> constants) {
        String what = kind + " '" + sourceName + "'";
        DType dtype = dtype(what, tensor);
        Shape shape = OnnxTensors.shape(file, what, tensor);
        long numel = shape.numel();
        if (OnnxTensors.isExternal(tensor)) {
            String location = OnnxTensors.externalLocation(tensor);
            // One look at the disk per data file, not per tensor (a 10,000-node graph has 17,000 tensors).
            boolean present = !location.isEmpty() && externalPresent.computeIfAbsent(location,
                    l -> java.nio.file.Files.isRegularFile(folder.resolve(l)));
            if (!present) {
                absentExternal.add(location.isEmpty() ? "no location given" : location);
            }
        }
        Uses use = uses.getOrDefault(name, new Uses());
        // Weights are never read, however small (LeNet's 6-element conv bias): their values change no shape.
        boolean readValues = use.quantized ? false : dtype.isIntegral() ? numel <= CONSTANT_VALUE_LIMIT
                : dtype.isFloatingPoint() && numel <= SMALL_FLOAT_LIMIT && !use.asWeight;
        if (readValues) {
            OnnxTensors.values(file, what, tensor, dtype, numel)
                    .ifPresent(values -> constants.put(name, new ConstTensor(dtype, shape, values)));
        }
        Role role;
        if (use.asStatistics) {
            role = Role.BUFFER;
        } else if (use.quantized) {
            // PyTorch counts a quantized module's qint8 weight and float bias; torch.onnx stores them as int8 and
            // int32 (the bias quantized to the input's and the weight's scales), read by DequantizeLinear.
            role = Role.PARAM;
        } else if (use.quantization) {
            // A per-channel scale or zero point: part of the quantized tensor, which PyTorch counts by its numel.
            role = Role.CONSTANT;
        } else if (!dtype.isFloatingPoint()) {
            role = Role.CONSTANT;
        } else if (!use.asWeight && !(use.moved && numel > SMALL_FLOAT_LIMIT) && isExporterName(name)
                && (numel <= SMALL_FLOAT_LIMIT || pytorch)) {
            role = Role.CONSTANT;
            if (numel > SMALL_FLOAT_LIMIT) {
                foldedElements[0] = Math.addExact(foldedElements[0], numel);
                folded.add(name);
            }
        } else {
            role = Role.PARAM;
        }
        params.put(name, new Param(name, sourceName, shape, dtype, role));
    }

    /*
     * A larger floating tensor under a made-up name that Expand broadcasts or Concat joins is a parameter the exporter
     * only reshaped: mvit_v1_b's pos_encoding.spatial_pos (3136 x 96) is stored unsqueezed as onnx::Expand_4268
     * (1 x 3136 x 96) and class_pos (96) as onnx::Concat_4273 (1 x 96), 301,152 params with the same element counts.
     * What the exporter computed from parameters is combined arithmetically (swin_t's relative position bias feeds an
     * Add) and stays a constant.
     */

    /** Names torch.onnx and other exporters make up, as opposed to state-dict names such as {@code fc.bias}. */
    static boolean isExporterName(String name) {
        return name.startsWith("onnx::") || name.startsWith("/") || name.chars().allMatch(Character::isDigit);
    }

    private DType dtype(String what, TensorProto tensor) {
        if (tensor.getDataType() == 0) {
            throw new ModelException(file + ": " + what + " has no data type; the file is damaged.");
        }
        return OnnxTensors.dtype(tensor.getDataType());
    }

    private static boolean isDefaultDomain(RawNode node) {
        return DEFAULT_DOMAINS.contains(node.getDomain());
    }

    private List<Node> nodes(List<RawNode> protos) {
        List<Node> nodes = new ArrayList<>(protos.size());
        // Sets sized up front: rehashing million-entry sets costs more than filling them.
        int size = (int) Math.min(1 << 30, protos.size() * 4L / 3 + 16);
        // Every node name, for making up unique ones: needed only once a name is empty or repeated, so made then.
        Set<String> names = null;
        // The names given so far, as ids (a HashSet of a million names was 40 MB, this 12).
        dev.tally.ir.NameIndex used = new dev.tally.ir.NameIndex(protos.size());
        // Usually every node has a name of its own: then all are added at once (NameIndex.addAll, a third of the time of
        // one add each on a million nodes) and none needs a look below. Else they are added one by one as before.
        boolean distinct = distinctNames(protos, used);
        if (!distinct) {
            used = new dev.tally.ir.NameIndex(protos.size());
        }
        Set<String> layers = null;
        Map<String, Integer> nextSuffix = new HashMap<>();
        for (int index = 0; index < protos.size(); index++) {
            RawNode proto = protos.get(index);
            String opType = isDefaultDomain(proto) ? proto.getOpType() : proto.getDomain() + "." + proto.getOpType();
            if (proto.getOpType().isEmpty()) {
                throw new ModelException(file + ": node #" + index + " ('" + proto.getName()
                        + "') has no op_type; the file is damaged.");
            }
            String name = proto.getName();
            String layer = LayerNames.layerOf(name);
            String callOf = LayerNames.repeatedCallBase(layer);
            if (callOf != null && layers == null) {
                // The set of earlier layers, made at the first path that may be a repeated call (layer1.0.relu_1):
                // a graph without one (a million n0, n1, ...) never needs it. Before it, every layer was its name's.
                layers = new HashSet<>(size);
                for (int earlier = 0; earlier < index; earlier++) {
                    layers.add(LayerNames.layerOf(protos.get(earlier).getName()));
                }
            }
            if (callOf != null && layers.contains(callOf)) {
                layer = callOf;
            }
            if (layers != null) {
                layers.add(layer);
            }
            if (!distinct && (name.isEmpty() || !added(used, name))) {
                if (names == null) {
                    names = new HashSet<>(size);
                    for (RawNode each : protos) {
                        if (!each.getName().isEmpty()) {
                            names.add(each.getName());
                        }
                    }
                }
                String base = name.isEmpty() ? proto.getOpType() + "_" + index : name;
                String unique = base;
                if (names.contains(unique) || used.id(unique) >= 0) {
                    // Suffixes below the one remembered are taken already (names is fixed, used only grows): without
                    // this, a million nodes sharing one name would try 1, 2, ... i for node i, n^2/2 lookups in all.
                    int k = nextSuffix.getOrDefault(base, 1);
                    do {
                        unique = base + "_" + k++;
                    } while (names.contains(unique) || used.id(unique) >= 0);
                    nextSuffix.put(base, k);
                }
                added(used, unique);
                layer = name.isEmpty() ? unique : layer;
                name = unique;
            }
            List<String> inputs = proto.getInputList();
            if (!nodes.isEmpty() && sameStrings(inputs, nodes.get(nodes.size() - 1).outputs())) {
                // The node before made exactly what this one reads (a chain of ops): one list for both, not two.
                inputs = nodes.get(nodes.size() - 1).outputs();
            }
            nodes.add(new Node(name, opType, inputs, proto.getOutputList(), attributes(name, proto), layer));
        }
        return nodes;
    }

    /** Whether every node has a name and no two the same; when so, {@code used} holds them all. */
    private static boolean distinctNames(List<RawNode> protos, dev.tally.ir.NameIndex used) {
        String[] names = new String[protos.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = protos.get(i).getName();
            if (names[i].isEmpty()) {
                return false;
            }
        }
        used.addAll(names, names.length);
        return used.size() == names.length;
    }

    /** Whether both lists hold the very same strings in the same order. */
    private static boolean sameStrings(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** Adds {@code name}; whether it was new, as {@code Set.add} says. */
    private static boolean added(dev.tally.ir.NameIndex names, String name) {
        int known = names.size();
        names.add(name);
        return names.size() > known;
    }

    private Map<String, Attribute> attributes(String nodeName, RawNode node) {
        if (node.getAttributeList().isEmpty()) {
            return Map.of(); // what Node keeps for no attributes; no map per node to throw away
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        boolean constant = isDefaultDomain(node) && node.getOpType().equals("Constant");
        for (AttributeProto attribute : node.getAttributeList()) {
            String name = attribute.getName();
            Attribute converted = attribute(nodeName, node.getOpType(), attribute);
            if (constant) {
                // Constant's value_int(s)/value_float(s) are spelled as the tensor they stand for, so rules
                // read one attribute, "value", whatever form the exporter chose.
                Optional<Attribute> tensor = constantValue(name, converted);
                if (tensor.isPresent()) {
                    attributes.put("value", tensor.get());
                    continue;
                }
            }
            attributes.put(name, converted);
        }
        return attributes;
    }

    private static Optional<Attribute> constantValue(String name, Attribute attribute) {
        ConstTensor tensor = null;
        if (name.equals("value_int") && attribute instanceof Attribute.Int i) {
            tensor = new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(i.value()));
        } else if (name.equals("value_ints") && attribute instanceof Attribute.Ints ints) {
            long[] values = ints.values().stream().mapToLong(Long::longValue).toArray();
            tensor = new ConstTensor(DType.INT64, Shape.of(values.length), ConstData.ofInts(values));
        } else if (name.equals("value_float") && attribute instanceof Attribute.Float f) {
            tensor = new ConstTensor(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(f.value()));
        } else if (name.equals("value_floats") && attribute instanceof Attribute.Floats floats) {
            double[] values = floats.values().stream().mapToDouble(Double::doubleValue).toArray();
            tensor = new ConstTensor(DType.FLOAT32, Shape.of(values.length), ConstData.ofFloats(values));
        }
        return Optional.ofNullable(tensor).map(Attribute.Tensor::new);
    }

    private Attribute attribute(String nodeName, String opType, AttributeProto attribute) {
        AttributeProto.AttributeType type = attribute.hasType() ? attribute.getType() : impliedType(attribute);
        switch (type) {
            case INT:
                return new Attribute.Int(attribute.getI());
            case FLOAT:
                return new Attribute.Float(attribute.getF());
            case STRING:
                return new Attribute.Str(attribute.getS().toString(StandardCharsets.UTF_8));
            case INTS:
                return new Attribute.Ints(attribute.getIntsList());
            case FLOATS:
                return new Attribute.Floats(attribute.getFloatsList().stream().map(Float::doubleValue).toList());
            case STRINGS:
                return new Attribute.Strs(attribute.getStringsList().stream()
                        .map(s -> s.toString(StandardCharsets.UTF_8)).toList());
            case TENSOR: {
                TensorProto tensor = attribute.getT();
                String what = "Node '" + nodeName + "' (" + opType + ") attribute '" + attribute.getName() + "'";
                DType dtype = dtype(what, tensor);
                Shape shape = OnnxTensors.shape(file, what, tensor);
                if (shape.numel() <= CONSTANT_VALUE_LIMIT) {
                    Optional<ConstData> data = OnnxTensors.values(file, what, tensor, dtype, shape.numel());
                    if (data.isPresent()) {
                        return new Attribute.Tensor(new ConstTensor(dtype, shape, data.get()));
                    }
                }
                return new Attribute.Opaque("TENSOR");
            }
            case GRAPH:
                if (depth >= MAX_DEPTH) {
                    throw new ModelException(file + ": Node '" + nodeName + "' (" + opType + "): its subgraphs nest more than "
                            + MAX_DEPTH + " levels deep, and Tally reads at most " + MAX_DEPTH + ".");
                }
                return new Attribute.SubGraph(new OnnxGraphReader(this).read(attribute.getG(), false));
            default:
                return new Attribute.Opaque(type.name());
        }
    }

    /** Files before IR version 2 leave {@code type} unset; the one value field that is set says it. */
    private static AttributeProto.AttributeType impliedType(AttributeProto a) {
        if (a.hasF()) {
            return AttributeProto.AttributeType.FLOAT;
        } else if (a.hasI()) {
            return AttributeProto.AttributeType.INT;
        } else if (a.hasS()) {
            return AttributeProto.AttributeType.STRING;
        } else if (a.hasT()) {
            return AttributeProto.AttributeType.TENSOR;
        } else if (a.hasG()) {
            return AttributeProto.AttributeType.GRAPH;
        } else if (a.getFloatsCount() > 0) {
            return AttributeProto.AttributeType.FLOATS;
        } else if (a.getIntsCount() > 0) {
            return AttributeProto.AttributeType.INTS;
        } else if (a.getStringsCount() > 0) {
            return AttributeProto.AttributeType.STRINGS;
        }
        return AttributeProto.AttributeType.UNDEFINED;
    }

    /** A graph input or output; its type is absent unless it is a tensor with a declared shape. */
    private Value value(ValueInfoProto info) {
        if (info.getName().isEmpty()) {
            throw new ModelException(file + ": a graph input or output has no name; the file is damaged.");
        }
        TypeProto type = info.getType();
        if (!type.hasTensorType() || !type.getTensorType().hasShape()) {
            return new Value(info.getName(), Optional.empty());
        }
        TypeProto.Tensor tensor = type.getTensorType();
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension dim : tensor.getShape().getDimList()) {
            if (dim.hasDimValue() && dim.getDimValue() >= 0) {
                dims.add(Dim.of(dim.getDimValue()));
            } else {
                dims.add(Dim.symbol(dim.hasDimParam() ? dim.getDimParam() : ""));
            }
        }
        return new Value(info.getName(), new TensorType(OnnxTensors.dtype(tensor.getElemType()), dims));
    }
}
