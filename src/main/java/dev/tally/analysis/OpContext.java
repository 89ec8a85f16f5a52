package dev.tally.analysis;

import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a rule sees of one node: its inputs by name, its attributes with defaults, and, when costing, its
 * outputs. Every failure it raises names the file, the node and the op.
 */
public final class OpContext {
    private final String fileName;
    private final Node node;
    private final List<String> signature;
    private final Map<String, TensorInfo> values;
    private final List<TensorInfo> outputs;
    private final Subgraphs subgraphs;
    /** Made at the first note: most nodes have none, and the passes make a context per node. */
    private List<String> notes;
    private boolean bounded;
    /** The values by the graph's value id and this node's index in the graph, when the pass runs the top-level graph. */
    private IdValues byId;
    private int index = -1;

    public OpContext(String fileName, Node node, List<String> signature, Map<String, TensorInfo> values,
                     List<TensorInfo> outputs) {
        this(fileName, node, signature, values, outputs, null);
    }

    /** A context whose node may hold subgraphs (If, Loop, Scan), analysed by {@code subgraphs}. */
    public OpContext(String fileName, Node node, List<String> signature, Map<String, TensorInfo> values,
                     List<TensorInfo> outputs, Subgraphs subgraphs) {
        this.fileName = fileName;
        this.node = node;
        this.signature = signature;
        this.values = values;
        this.outputs = outputs;
        this.subgraphs = subgraphs;
    }

    /**
     * Reads this node's inputs by their position among the graph's value ids ({@code values}' ids; the node is node
     * {@code index} of the graph) instead of by name: the same values, without hashing each name again.
     */
    OpContext atNode(IdValues values, int index) {
        this.byId = values;
        this.index = index;
        return this;
    }

    /**
     * Analyses the subgraph in attribute {@code attribute} with its formal inputs bound to {@code formals}; names it
     * reads from the enclosing graphs resolve to their values here.
     */
    public Subgraphs.Body subgraph(String attribute, List<TensorInfo> formals) {
        if (!(node.attributes().get(attribute) instanceof dev.tally.ir.Attribute.SubGraph graph)) {
            throw fail("attribute '" + attribute + "' should be a graph");
        }
        if (subgraphs == null) {
            throw fail("its subgraph '" + attribute + "' can only be analysed by the shape pass, not while loading");
        }
        return subgraphs.analyze(this, graph.value(), formals, values);
    }

    /**
     * Adds a sentence the report shows beside this node's count: the bound a data-dependent size takes, the branch an
     * If took.
     */
    public void note(String sentence) {
        if (notes == null) {
            notes = new ArrayList<>(2);
        }
        notes.add(sentence.endsWith(".") ? sentence : sentence + ".");
    }

    /**
     * Says that a size or count of this node depends on the data and what bounds it; the report marks the node
     * data-dependent and shows {@code sentence}, which states the bound.
     */
    public void bound(String sentence) {
        note("data-dependent: " + sentence);
        bounded = true;
    }

    public List<String> notes() {
        return notes == null ? List.of() : List.copyOf(notes);
    }

    /** Whether a rule noted anything for this node: {@link #notes()} without its copy, asked per node. */
    public boolean hasNotes() {
        return notes != null;
    }

    /** Whether a rule called {@link #bound} for this node. */
    public boolean isBounded() {
        return bounded;
    }

    public String fileName() {
        return fileName;
    }

    public Node node() {
        return node;
    }

    /** A required input, by its spec name. */
    public TensorInfo input(String name) {
        // optionalInput(name).orElseThrow(...) without the Optional and the lambda: rules ask per node.
        int index = indexOf(name);
        if (index >= node.inputs().size() || node.inputs().get(index).isEmpty()) {
            throw fail("required input '" + name + "' is missing");
        }
        return valueOf(index, name);
    }

    /** An optional input, by its spec name; empty when the node omits it. */
    public Optional<TensorInfo> optionalInput(String name) {
        int index = indexOf(name);
        if (index >= node.inputs().size() || node.inputs().get(index).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(valueOf(index, name));
    }

    /** All inputs from the variadic one named {@code name} to the end. */
    public List<TensorInfo> variadic(String name) {
        int index = indexOf(name);
        List<TensorInfo> result = new ArrayList<>();
        for (int i = index; i < node.inputs().size(); i++) {
            if (!node.inputs().get(i).isEmpty()) {
                result.add(valueOf(i, name));
            }
        }
        return result;
    }

    /** The values of an input the shape pass must know (a Reshape target, Slice bounds). */
    public ConstData inputData(String name) {
        return input(name).data().orElseThrow(() -> new UnknownValuesException(fail("input '" + name + "' ('"
                + valueName(name) + "') must be computable from constants and input shapes, but its values are not known")
                .getMessage(), name));
    }

    /**
     * Upper bounds on the values of an input the shape pass does not know, from the bounds it carries (a size computed
     * from box coordinates clamped to the image; docs/conventions.md, "Value bounds"), rounded down to whole numbers:
     * empty when its values are known, or when some element has no finite upper bound.
     */
    public Optional<long[]> inputUpperBounds(String name) {
        TensorInfo info = input(name);
        if (info.hasData() || info.range().isEmpty() || !info.range().get().boundedAbove() || info.numel() > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        ValueRange range = info.range().get();
        long[] bounds = new long[(int) info.numel()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = (long) Math.floor(range.high(i));
        }
        return Optional.of(bounds);
    }

    /** The values of an optional input, empty when the node omits it. */
    public Optional<ConstData> optionalInputData(String name) {
        return optionalInput(name).isPresent() ? Optional.of(inputData(name)) : Optional.empty();
    }

    /** The graph value name bound to input {@code name}, empty when omitted. */
    public String valueName(String name) {
        int index = indexOf(name);
        return index < node.inputs().size() ? node.inputs().get(index) : "";
    }

    /** Output {@code index} as the shape pass resolved it; only while costing. */
    public TensorInfo output(int index) {
        if (outputs == null || index >= outputs.size()) {
            throw new IllegalStateException("Outputs of " + node.describe() + " are only known while costing.");
        }
        return outputs.get(index);
    }

    public boolean hasAttribute(String key) {
        return node.attributes().containsKey(key);
    }

    public long attrLong(String key, long defaultValue) {
        return node.attribute(key).map(a -> toLong(key, a)).orElse(defaultValue);
    }

    public long attrLong(String key) {
        return toLong(key, node.attribute(key).orElseThrow(() -> fail("attribute '" + key + "' is missing")));
    }

    public double attrDouble(String key, double defaultValue) {
        return node.attribute(key).map(a -> {
            if (a instanceof Attribute.Float f) {
                return f.value();
            }
            if (a instanceof Attribute.Int i) {
                return (double) i.value();
            }
            throw wrongKind(key, "a float");
        }).orElse(defaultValue);
    }

    public String attrString(String key, String defaultValue) {
        return node.attribute(key).map(a -> {
            if (a instanceof Attribute.Str s) {
                return s.value();
            }
            throw wrongKind(key, "a string");
        }).orElse(defaultValue);
    }

    /** A list-of-ints attribute, empty when absent. */
    public Optional<List<Long>> attrLongs(String key) {
        return node.attribute(key).map(a -> {
            if (a instanceof Attribute.Ints ints) {
                return ints.values();
            }
            if (a instanceof Attribute.Int i) {
                return List.of(i.value());
            }
            throw wrongKind(key, "a list of integers");
        });
    }

    public List<Long> attrLongs(String key, List<Long> defaultValue) {
        return attrLongs(key).orElse(defaultValue);
    }

    public Optional<Attribute> attribute(String key) {
        return node.attribute(key);
    }

    /**
     * An error about this node, ready to throw: {@code alexnet.onnx: Node 'features.0' (Conv): input 'W' has
     * rank 3, expected 4.}
     */
    public ModelException fail(String message) {
        String sentence = message.endsWith(".") ? message : message + ".";
        return new ModelException(fileName + ": " + node.describe() + ": " + sentence);
    }

    private long toLong(String key, Attribute attribute) {
        if (attribute instanceof Attribute.Int i) {
            return i.value();
        }
        throw wrongKind(key, "an integer");
    }

    private ModelException wrongKind(String key, String expected) {
        return fail("attribute '" + key + "' should be " + expected);
    }

    /** Node input {@code position} (not omitted), the rule's input {@code inputName}. */
    private TensorInfo valueOf(int position, String inputName) {
        String valueName = node.inputs().get(position);
        TensorInfo info = byId != null ? byId.get(byId.ids().input(index, position)) : values.get(valueName);
        if (info == null) {
            throw fail("input '" + inputName + "' ('" + valueName + "') has no known shape");
        }
        return info;
    }

    private int indexOf(String name) {
        for (int i = 0; i < signature.size(); i++) {
            // The declared name without its mark ("B?" optional, "inputs..." variadic), compared in place.
            String declared = signature.get(i);
            int bare = declared.endsWith("?") ? declared.length() - 1
                    : declared.endsWith("...") ? declared.length() - 3 : declared.length();
            if (bare == name.length() && declared.startsWith(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("The rule for " + node.opType() + " declares no input '" + name + "'.");
    }
}
