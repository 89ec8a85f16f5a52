package dev.tally.load.torchscript;

import dev.tally.analysis.Aliasing;
import dev.tally.analysis.MemoryPass;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.RuleTable;
import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import dev.tally.load.Limits;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the IR graph while the interpreter runs {@code forward}: inputs, stored tensors, constants and
 * nodes in execution order. Each node's output shapes are inferred at once with the shared rules (when the op
 * has a rule and its inputs' shapes are known), so the code's {@code x.size(1)} and {@code if x.dim() == 4}
 * can be answered while the graph is being built.
 */
final class GraphBuilder {
    private final String fileName;
    private final RuleTable rules;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, ConstTensor> constants = new LinkedHashMap<>();
    private final Map<String, TensorInfo> values = new HashMap<>();
    private final Map<String, Integer> nameCounts = new HashMap<>();
    private int constantCount;
    /** Values made by statements the interpreter could not follow: not even their type is known. */
    private final java.util.Set<String> gapValues = new java.util.HashSet<>();
    /** For each node output: the index of the last node that made or read it so far. */
    private final Map<String, Integer> lastUse = new HashMap<>();
    /** Node outputs a frame's local holds past their last use so far: the index of the last node they stay live through. */
    private final Map<String, Integer> holds = new HashMap<>();
    /** While above 0, the nodes emitted read a data-dependent size at its bound ({@link #withDataDependentSizes}). */
    private int dataDependentSizes;
    /**
     * Inside {@link #inLoop}: how many times the nodes emitted now run at most, the product of the bounds of the loops
     * over data around them ({@link ShapePass#REPEATS}); {@code loops} counts those loops.
     */
    private long repeats = 1;
    private int loops;
    /** The sentence stating the innermost loop's bound, put on the first node its body emits. */
    private String loopBound;
    /** Values whose sizes depend on the data, so the code reading their sizes gets bounded ints. */
    private final java.util.Set<String> sizeDependent = new java.util.HashSet<>();
    /**
     * Of the values in {@link #sizeDependent}: the axes that are the same in every run all the same ({@link ExactAxes}:
     * the mask logits' 28 x 28 after the detections' count); a value not here has none.
     */
    private final Map<String, boolean[]> exactAxes = new HashMap<>();
    /** 1-D int64 sizes the interpreter built from Python ints: which elements it knew exactly ({@link #markExactValues}). */
    private final Map<String, boolean[]> exactValues = new HashMap<>();
    /** Ops whose output sizes depend on the data a run sees. */
    private static final java.util.Set<String> SIZE_SOURCES = java.util.Set.of("NonZero", "NonMaxSuppression", "Unique",
            "EitherBranch");
    /** {@link Limits#nodes()}: the code may loop, so a small archive can still spell any number of nodes. */
    private final long maxNodes = Limits.nodes();

    /**
     * Values with a stated upper bound: an integer input's {@code --input ...:maxN}, and what is computed from it by ops
     * whose values are some of their input's ({@link #KEEPS_VALUE_BOUND}). Only a size read from them
     * ({@code max(lengths).item()}) uses the bound; their own sizes are not data-dependent.
     */
    private final Map<String, ValueBound> valueBounds = new HashMap<>();

    /** The largest value a tensor holds, and the input that bound was given for. */
    record ValueBound(long max, String input) {}
    private static final java.util.Set<String> KEEPS_VALUE_BOUND = java.util.Set.of("ReduceMax", "ReduceMin", "Gather", "Slice",
            "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Expand", "Transpose", "Identity", "Cast");

    GraphBuilder(String fileName, RuleTable rules) {
        this.fileName = fileName;
        this.rules = rules;
    }

    /**
     * A graph input of element type {@code dtype}; its shape is known when the caller gave one. {@code inList}: the code
     * takes it as the one item of a list ({@link Value#inList}).
     */
    TensorValue input(String name, Shape shape, DType dtype, boolean inList) {
        Optional<TensorType> type = Optional.empty();
        TensorInfo info = null;
        if (shape != null) {
            List<Dim> dims = new ArrayList<>();
            for (long d : shape.dims()) {
                dims.add(Dim.of(d));
            }
            type = Optional.of(new TensorType(dtype, dims));
            info = TensorInfo.of(dtype, shape);
            values.put(name, info);
        }
        inputs.add(new Value(name, type, inList));
        return new TensorValue(name, info);
    }

    /** A stored tensor, registered once however often the code reads it. */
    TensorValue param(Param param) {
        if (!params.containsKey(param.name())) {
            params.put(param.name(), param);
            values.put(param.name(), TensorInfo.of(param.dtype(), param.shape()));
        }
        return new TensorValue(param.name(), values.get(param.name()));
    }

    /** A constant tensor with known values (a scalar operand, a reshape target). */
    TensorValue constant(ConstTensor tensor) {
        String name = "const." + constantCount++;
        constants.put(name, tensor);
        TensorInfo info = TensorInfo.constant(tensor.dtype(), tensor.shape(), tensor.data());
        values.put(name, info);
        return new TensorValue(name, info);
    }

    TensorValue ints(long... values) {
        return constant(new ConstTensor(DType.INT64, Shape.of(values.length), ConstData.ofInts(values)));
    }

    TensorValue scalar(Object number) {
        if (number instanceof Double d) {
            return constant(new ConstTensor(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(d)));
        }
        long value = number instanceof Boolean b ? (b ? 1 : 0) : ((Number) number).longValue();
        return constant(new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(value)));
    }

    /**
     * Adds a node of {@code opType} with {@code outputCount} outputs and returns its outputs, with shapes when the
     * rules can tell them now.
     */
    List<TensorValue> emit(String opType, List<String> nodeInputs, Map<String, Attribute> attributes, int outputCount,
                           String layer, String source) {
        if (nodes.size() >= maxNodes) {
            throw Limits.tooManyNodes(fileName, maxNodes);
        }
        String base = (layer.isEmpty() ? "" : layer + "/") + opType;
        int count = nameCounts.merge(base, 1, Integer::sum);
        String name = count == 1 ? base : base + "#" + count;
        List<String> outputNames = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            outputNames.add(outputCount == 1 ? name : name + ":" + i);
        }
        Map<String, Attribute> nodeAttributes = attributes;
        if (dataDependentSizes > 0 || loops > 0) {
            nodeAttributes = new LinkedHashMap<>(attributes);
        }
        if (dataDependentSizes > 0) {
            nodeAttributes.put(ShapePass.DATA_DEPENDENT, new Attribute.Int(1));
        }
        if (loops > 0) {
            nodeAttributes.put(ShapePass.REPEATS, new Attribute.Int(repeats));
            if (loopBound != null) {
                nodeAttributes.put(ShapePass.REPEATS_BOUND, new Attribute.Str(loopBound));
                loopBound = null;
            }
        }
        Node node = new Node(name, opType, nodeInputs, outputNames, nodeAttributes, layer.isEmpty() ? name : layer, source);
        nodes.add(node);
        int index = nodes.size() - 1;
        for (String input : nodeInputs) {
            lastUse.computeIfPresent(input, (k, v) -> index);
        }
        for (String output : outputNames) {
            lastUse.put(output, index);
        }
        List<TensorInfo> inferred = infer(node);
        if (KEEPS_VALUE_BOUND.contains(opType) && !nodeInputs.isEmpty() && valueBounds.containsKey(nodeInputs.get(0))) {
            ValueBound bound = valueBounds.get(nodeInputs.get(0));
            outputNames.forEach(output -> valueBounds.put(output, bound));
        }
        List<TensorValue> result = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            TensorInfo info = inferred != null && i < inferred.size() ? inferred.get(i) : null;
            if (info != null) {
                values.put(outputNames.get(i), info);
            }
            result.add(new TensorValue(outputNames.get(i), info));
        }
        return result;
    }

    private List<TensorInfo> infer(Node node) {
        Optional<OpRule> rule = rules.lookup(node.opType());
        if (rule.isEmpty()) {
            return null;
        }
        for (String input : node.inputs()) {
            if (!input.isEmpty() && !values.containsKey(input)) {
                return null;
            }
        }
        // As the shape pass does: what is computed from a data-dependent value, or from a size read from one, is
        // data-dependent too, so the code reading its size gets a bounded int, not the bound as if it were the size.
        // Only sizes: what NonZero, NonMaxSuppression, Unique or a data-dependent if make, and what a bounded int sizes
        // (a value an --input ...:maxN bounds keeps its own sizes exact, as issue-12i's BoundedValue wants).
        boolean dataDependent = node.attribute(ShapePass.DATA_DEPENDENT).isPresent() || SIZE_SOURCES.contains(node.opType())
                || node.inputs().stream().anyMatch(sizeDependent::contains);
        if (dataDependent) {
            sizeDependent.addAll(node.outputs());
        }
        List<TensorInfo> outputs;
        try {
            outputs = ShapePass.inferNode(fileName, node, rule.get(), values);
        } catch (dev.tally.ir.ModelException e) {
            if (!dataDependent) {
                throw e;
            }
            // Sizes at their bounds that do not fit together, or values read from data: the shape pass lists the node.
            return null;
        }
        if (dataDependent) {
            outputs.replaceAll(info -> info == null ? null : info.asDataDependent());
            if (node.attribute(ShapePass.DATA_DEPENDENT).isEmpty() && !SIZE_SOURCES.contains(node.opType())) {
                recordExactAxes(node, outputs);
            }
        }
        return outputs;
    }

    /** What {@link ExactAxes} proves of each output of a node whose sizes depend on the data. */
    private void recordExactAxes(Node node, List<TensorInfo> outputs) {
        List<TensorInfo> infos = new ArrayList<>();
        List<Boolean> known = new ArrayList<>();
        List<boolean[]> recordedValues = new ArrayList<>();
        for (String input : node.inputs()) {
            infos.add(input.isEmpty() ? null : values.get(input));
            known.add(input.isEmpty() || !sizeDependent.contains(input));
            recordedValues.add(input.isEmpty() ? null : exactValues.get(input));
        }
        List<boolean[]> in = ExactAxes.inputs(infos, known, exactAxes, node.inputs());
        for (int i = 0; i < outputs.size() && i < node.outputs().size(); i++) {
            boolean[] axes = ExactAxes.of(node, infos, in, known, recordedValues, outputs.get(i), i);
            if (axes != null) {
                exactAxes.put(node.outputs().get(i), axes);
            }
        }
    }

    /**
     * Whether axis {@code axis} of {@code value}, whose sizes depend on the data, is the same in every run, so the code
     * reading it gets the size itself rather than a bounded int ({@link ExactAxes}).
     */
    boolean isExactAxis(TensorValue value, int axis) {
        boolean[] axes = exactAxes.get(value.name());
        return axes != null && axis >= 0 && axis < axes.length && axes[axis];
    }

    /** Whether the sizes of {@code value} depend on the data. */
    boolean isSizeDependent(TensorValue value) {
        return sizeDependent.contains(value.name());
    }

    /**
     * {@code made}, a tensor an op built at the sizes of {@code source} as the shape rules state them ({@code zeros_like},
     * {@code copy_}'s source expanded to its destination, {@code expand_as}): when those sizes depend on the data, so do
     * its, on the same axes (a constant holding them would otherwise pass the bound for the size in every run). Returns
     * {@code made} as the interpreter holds it from then on.
     */
    TensorValue sameSizesAs(TensorValue made, TensorValue source) {
        if (!made.known() || !sizeDependent.contains(source.name()) || source.info().rank() != made.info().rank()) {
            return made;
        }
        boolean[] own = sizeDependent.contains(made.name()) ? exactAxes.get(made.name()) : null;
        boolean[] theirs = exactAxes.get(source.name());
        boolean[] axes = new boolean[made.info().rank()];
        for (int a = 0; a < axes.length; a++) {
            // Its size is the source's, or an exact size of its own the source's had to match.
            axes[a] = theirs != null && theirs[a] || own != null && own[a];
        }
        sizeDependent.add(made.name());
        exactAxes.remove(made.name());
        for (boolean axis : axes) {
            if (axis) {
                exactAxes.put(made.name(), axes);
                break;
            }
        }
        TensorInfo info = made.info().asDataDependent();
        values.put(made.name(), info);
        return new TensorValue(made.name(), info);
    }

    /**
     * Records which elements of {@code value}, a size list built from Python ints ({@code [n, 256, 14, 14]} with n
     * read from the data), the interpreter knew as ints: those are the same in every run.
     */
    void markExactValues(TensorValue value, boolean[] exact) {
        exactValues.put(value.name(), exact.clone());
    }

    /**
     * Runs {@code op} with every node it emits marked {@link ShapePass#DATA_DEPENDENT}: the call reads a size that is
     * only bounded ({@code torch.zeros([n, 4])} with n a data-dependent count), so its outputs are data-dependent.
     */
    <T> T withDataDependentSizes(java.util.function.Supplier<T> op) {
        dataDependentSizes++;
        try {
            return op.get();
        } finally {
            dataDependentSizes--;
        }
    }

    /**
     * Runs {@code body}, the one pass over the body of a loop whose trip count depends on the data and is at most
     * {@code bound}: every node it emits is marked to run {@code bound} times (times the enclosing such loops' bounds),
     * and the first carries {@code sentence}, which states the bound. A product past 64 bits throws ArithmeticException.
     */
    <T> T inLoop(long bound, String sentence, java.util.function.Supplier<T> body) {
        long outer = repeats;
        String outerBound = loopBound;
        repeats = Math.multiplyExact(repeats, bound);
        loops++;
        loopBound = sentence;
        try {
            return body.get();
        } finally {
            loops--;
            repeats = outer;
            loopBound = outerBound;
        }
    }

    /** States that every value of {@code value} (a graph input) is at most {@code max}. */
    void boundValues(String value, long max) {
        valueBounds.put(value, new ValueBound(max, value));
    }

    /** The stated upper bound of {@code value}'s values, if it has one. */
    Optional<ValueBound> valueBound(TensorValue value) {
        return Optional.ofNullable(valueBounds.get(value.name()));
    }

    /** Records that {@code value} comes out of a statement not followed, so nothing about it is assumed, and returns it. */
    TensorValue markGap(TensorValue value) {
        gapValues.add(value.name());
        return value;
    }

    /** Whether {@code value} comes out of a statement not followed: it may stand for a tensor, a list, a number or None. */
    boolean isGap(TensorValue value) {
        return gapValues.contains(value.name());
    }

    /** How many nodes have been emitted so far; {@link #markInPlace} looks only at nodes emitted after it. */
    int nodeCount() {
        return nodes.size();
    }

    /**
     * Records that the node emitted since {@code firstNew} that defines {@code output} overwrites its first input
     * ({@code relu_}, {@code add_}, {@code inplace=True}), so the memory pass knows it allocates nothing and shares that
     * input's storage. {@code masked_fill_(x, mask, v)} is Where(mask, v, x): it writes into x, input 2, not the mask
     * (HDemucs masks its [B, H, T, T] scores with a [T, T] eye), so its mark names input 2; it is marked only when the
     * result has x's shape and type, as PyTorch's in-place ops require.
     */
    void markInPlace(int firstNew, String output) {
        for (int i = nodes.size() - 1; i >= firstNew; i--) {
            Node node = nodes.get(i);
            if (node.outputs().contains(output)) {
                int written = node.opType().equals("Where") ? 2 : 0;
                if (written > 0 && (node.inputs().size() <= written || values.get(node.inputs().get(written)) == null
                        || values.get(output) == null
                        || !values.get(node.inputs().get(written)).shape().equals(values.get(output).shape())
                        || values.get(node.inputs().get(written)).dtype() != values.get(output).dtype())) {
                    return;
                }
                Map<String, Attribute> attributes = new LinkedHashMap<>(node.attributes());
                attributes.put(Aliasing.IN_PLACE, new Attribute.Int(written + 1));
                nodes.set(i, new Node(node.name(), node.opType(), node.inputs(), node.outputs(), attributes, node.layer(),
                        node.source()));
                return;
            }
        }
    }

    /**
     * Records that a local of the code holds the node output {@code value} until the node at {@code through} has run
     * (the local is rebound or its frame returns there), so the memory pass keeps it that long (docs/conventions.md,
     * "Memory"). Nothing is recorded for graph inputs and stored tensors, or when a node at or after {@code through}
     * reads the value already.
     */
    void hold(String value, int through) {
        Integer last = lastUse.get(value);
        if (last != null && through > last) {
            holds.merge(value, through, Math::max);
        }
    }

    void output(String name) {
        outputs.add(new Value(name, Optional.empty()));
    }

    Graph build(String graphName) {
        Map<Integer, List<String>> heldThrough = new java.util.TreeMap<>();
        holds.forEach((value, through) -> {
            if (through > lastUse.get(value)) {
                heldThrough.computeIfAbsent(through, k -> new ArrayList<>()).add(value);
            }
        });
        heldThrough.forEach((index, held) -> {
            Node node = nodes.get(index);
            Map<String, Attribute> attributes = new LinkedHashMap<>(node.attributes());
            attributes.put(MemoryPass.HOLDS, new Attribute.Strs(held.stream().sorted().toList()));
            nodes.set(index, new Node(node.name(), node.opType(), node.inputs(), node.outputs(), attributes, node.layer(),
                    node.source()));
        });
        return new Graph(graphName, inputs, outputs, nodes, params, constants);
    }
}
