package dev.tally.analysis;

import dev.tally.ir.ConstTensor;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.UnsupportedOpException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Propagates shapes from the resolved inputs through the graph in node order, including the values of the
 * small integer tensors exporters compute shapes with, so Reshape, Expand and Slice get exact shapes.
 */
public final class ShapePass {
    private final RuleTable rules;
    private final boolean strict;

    public ShapePass(RuleTable rules, boolean strict) {
        this.rules = rules;
        this.strict = strict;
    }

    /**
     * The result: every value the pass could resolve, and each node's status.
     *
     * @param status    each node's status, by its position in the graph's node list (a list by position, not a map by
     *                  node: on issue 14's one-million-node chain the identity map was a tenth of the analysis' time)
     * @param notes     what the report must say beside a node's count (a data-dependent bound, an If's branch), by node
     * @param subgraphs the analyses of If, Loop and Scan bodies, which the cost pass reuses
     * @param made      each node's named outputs as the pass stored them (null where it could not size one), by the
     *                  node's position; null for a node that was not counted. The cost pass and the node's result take
     *                  this list rather than look every output up again by name (issue 14's million-node chain).
     * @param reads     the positions of the counted nodes that read a data-dependent value
     */
    public record Result(Map<String, TensorInfo> values, List<NodeResult.Status> status, Map<Node, String> notes,
                         Subgraphs subgraphs, List<List<TensorInfo>> made, java.util.BitSet reads) {
        public Result {
            values = values instanceof IdValues byId ? byId.readOnly() : Collections.unmodifiableMap(values);
            status = Collections.unmodifiableList(status);
            notes = Collections.unmodifiableMap(notes);
            made = Collections.unmodifiableList(made);
        }

        /** Whether counted node {@code index} reads a data-dependent value. */
        public boolean readsDataDependent(int index) {
            return reads.get(index);
        }
    }

    public Result run(Model model, List<ResolvedInput> inputs) {
        Graph graph = model.graph();
        String file = model.path().getFileName().toString();
        IdValues values = new IdValues(graph.ids());
        for (Param param : graph.params().values()) {
            values.put(param.name(), TensorInfo.of(param.dtype(), param.shape()));
        }
        for (Map.Entry<String, ConstTensor> constant : graph.constants().entrySet()) {
            ConstTensor tensor = constant.getValue();
            values.put(constant.getKey(), TensorInfo.constant(tensor.dtype(), tensor.shape(), tensor.data()));
        }
        for (ResolvedInput input : inputs) {
            values.put(input.name(), TensorInfo.of(input.dtype(), input.shape()));
        }
        Subgraphs subgraphs = new Subgraphs(rules, strict);
        NodeResult.Status[] status = new NodeResult.Status[graph.nodes().size()];
        Map<Node, String> notes = new HashMap<>();
        Made made = new Made(graph.ids(), values, graph.nodes().size());
        int i = 0;
        for (Node node : graph.nodes()) {
            made.index = i;
            status[i++] = inferInto(file, node, values, subgraphs, notes, made);
        }
        return new Result(values, java.util.Arrays.asList(status), notes, subgraphs, java.util.Arrays.asList(made.outputs),
                made.reads);
    }

    /**
     * The top-level graph's nodes as the pass runs them: what {@link Result#made()} and {@link Result#reads()} collect,
     * and the values by id, so the node at {@link #index} reads its inputs and writes its outputs by position.
     */
    private static final class Made {
        final dev.tally.ir.ValueIds ids;
        final IdValues values;
        final List<TensorInfo>[] outputs;
        final java.util.BitSet reads = new java.util.BitSet();
        int index;

        @SuppressWarnings("unchecked")
        Made(dev.tally.ir.ValueIds ids, IdValues values, int nodes) {
            this.ids = ids;
            this.values = values;
            outputs = new List[nodes];
        }

        /** Node {@link #index}'s input {@code k}, as the pass knows it; null when it does not. */
        TensorInfo input(int k) {
            return values.get(ids.input(index, k));
        }

        /**
         * {@code List.of(named)}, or the node before's list when it holds these very objects (a chain of elementwise ops
         * passes one info on: one list for the chain, not one per node).
         */
        List<TensorInfo> sameAsPrevious(TensorInfo[] named) {
            List<TensorInfo> before = index > 0 ? outputs[index - 1] : null;
            if (before != null && before.size() == named.length && named.length <= 2) {
                boolean same = true;
                for (int k = 0; k < named.length; k++) {
                    same &= before.get(k) == named[k];
                }
                if (same) {
                    return before; // every element is one of named's, none null
                }
            }
            return List.of(named);
        }

        /** Stores node {@link #index}'s output {@code k}. */
        void output(int k, TensorInfo value) {
            values.put(ids.output(index, k), value);
        }
    }

    /**
     * A node attribute a loader sets on an op it could map only with known input shapes and whose inputs were not known
     * (TorchScript's {@code aten::transpose} after a gap): while an input stays unresolved the node is UNRESOLVED, one
     * of the nodes left out because of what feeds it, rather than UNSUPPORTED.
     */
    public static final String AWAITS_INPUTS = "tally.awaits_inputs";

    /**
     * A node attribute a loader sets (to 1) on an op that takes a size read from a data-dependent value at its bound
     * (TorchScript's {@code torch.zeros([n, 4])} with n counted by a boolean mask): its outputs are data-dependent,
     * as if one of its inputs were (docs/conventions.md, "Data-dependent sizes").
     */
    public static final String DATA_DEPENDENT = "tally.data_dependent";

    /**
     * A node attribute a loader sets on a node in the body of a loop whose trip count depends on the data (TorchScript's
     * {@code for i in range(len(unique(labels)))}): the body is in the graph once and this Int says how many times it
     * runs at most, the product of the enclosing such loops' bounds. The cost pass counts the node that many times and
     * marks it data-dependent; the memory passes see one iteration, as each iteration's tensors are freed before the
     * next one's are made (docs/conventions.md, "Data-dependent sizes").
     */
    public static final String REPEATS = "tally.repeats";

    /** On the first node of such a loop body: the sentence stating the loop's bound, which the report shows. */
    public static final String REPEATS_BOUND = "tally.repeats_bound";

    /** How many times {@code node} runs at most: its {@link #REPEATS}, else 1. */
    public static long repeats(Node node) {
        return node.attribute(REPEATS).filter(a -> a instanceof dev.tally.ir.Attribute.Int).map(a -> ((dev.tally.ir.Attribute.Int) a).value())
                .orElse(1L);
    }

    /** Infers {@code nodes} in order into {@code values}, recording each node's status and notes. */
    void runNodes(String file, List<Node> nodes, Map<String, TensorInfo> values, Subgraphs subgraphs,
                  Map<Node, NodeResult.Status> status, Map<Node, String> notes) {
        for (Node node : nodes) {
            status.put(node, inferInto(file, node, values, subgraphs, notes, null));
        }
    }

    /** @param made where a top-level node's outputs go ({@link Result#made()}); null for a subgraph's nodes */
    private NodeResult.Status inferInto(String file, Node node, Map<String, TensorInfo> values, Subgraphs subgraphs,
                                        Map<Node, String> notes, Made made) {
        RuleTable.Registered rule = rules.find(node.opType());
        if (rule == null && node.attribute(AWAITS_INPUTS).isPresent()
                && node.inputs().stream().anyMatch(input -> !input.isEmpty() && !values.containsKey(input))) {
            // A loader op mapped only once its inputs are known, whose inputs are not: left out for what feeds it.
            return NodeResult.Status.UNRESOLVED;
        }
        if (rule == null) {
            if (strict) {
                throw new UnsupportedOpException(file + ": " + node.describe() + ": no rule for op '" + node.opType()
                        + "', and --strict makes that an error; run without --strict to see the other ops counted.");
            }
            return NodeResult.Status.UNSUPPORTED;
        }
        boolean dataDependent = false;
        TensorInfo first = null;
        for (int k = 0; k < node.inputs().size(); k++) {
            String input = node.inputs().get(k);
            if (input.isEmpty()) {
                continue;
            }
            TensorInfo info = inputOf(node, k, values, made);
            if (info == null) {
                return NodeResult.Status.UNRESOLVED;
            }
            dataDependent |= info.dataDependent();
            first = first == null ? info : first;
        }
        boolean readsDataDependent = dataDependent;
        if (node.attribute(DATA_DEPENDENT).isPresent()) {
            dataDependent = true;
        }
        OpContext ctx = new OpContext(file, node, rule.inputs(), values, null, subgraphs);
        if (made != null) {
            ctx.atNode(made.values, made.index);
        }
        if (node.attribute(DATA_DEPENDENT).isPresent()) {
            ctx.bound("a size it takes is read from a data-dependent value, taken at its bound");
        }
        if (node.attribute(REPEATS_BOUND).orElse(null) instanceof dev.tally.ir.Attribute.Str loop) {
            ctx.bound(loop.value());
        }
        List<TensorInfo> outputs;
        try {
            outputs = inferShapes(ctx, rule.rule());
        } catch (UnknownValuesException e) {
            if (!dataDependent) {
                throw e;
            }
            // Sizes read from data values (a mask resized to its box) have no bound the graph states: listed, not guessed.
            notes.put(node, "data-dependent without a bound: input '" + e.input() + "' ('" + ctx.valueName(e.input())
                    + "') holds values computed from the data, so this node and what it feeds are not counted.");
            subgraphs.markDataDependent(node);
            return NodeResult.Status.UNRESOLVED;
        } catch (ModelException e) {
            if (!dataDependent) {
                throw e;
            }
            // Sizes taken at bounds stated apart (TorchScript's bounded ints) that do not fit together: listed, not guessed.
            notes.put(node, "data-dependent without a bound: its input sizes, taken at their bounds, do not fit together ("
                    + stripPeriod(e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.length() + 2) : e.getMessage())
                    + "), so this node and"
                    + " what it feeds are not counted.");
            subgraphs.markDataDependent(node);
            return NodeResult.Status.UNRESOLVED;
        }
        outputs = withRanges(node, values, made, outputs);
        TensorInfo[] named = made == null ? null : new TensorInfo[named(node.outputs())];
        boolean unsized = false;
        for (int i = 0, k = 0; i < node.outputs().size(); i++) {
            if (node.outputs().get(i).isEmpty()) {
                continue;
            }
            // A null output is one the rule cannot size (a Loop's stacked outputs without a trip count): it stays
            // unresolved, so what reads it is listed as not counted.
            TensorInfo output = outputs.get(i);
            if (output != null) {
                // What is computed from a data-dependent value is data-dependent too: its size is the bound's.
                output = dataDependent ? output.asDataDependent() : output;
                if (first != null && samePlainTensor(output, first)) {
                    // One object for equal infos (an elementwise op's output is its input's): a million-node chain
                    // kept a million equal ones.
                    output = first;
                }
                if (made != null) {
                    made.output(i, output);
                } else {
                    values.put(node.outputs().get(i), output);
                }
            }
            if (named != null) {
                named[k++] = output;
                unsized |= output == null;
            }
        }
        if (made != null) {
            // One list the node's result keeps too (List.copyOf keeps an unmodifiable list as it is).
            made.outputs[made.index] = unsized ? Collections.unmodifiableList(java.util.Arrays.asList(named))
                    : made.sameAsPrevious(named);
            if (readsDataDependent) {
                made.reads.set(made.index);
            }
        }
        if (ctx.hasNotes()) {
            notes.put(node, String.join(" ", ctx.notes()));
        }
        if (ctx.isBounded() || node.attribute(REPEATS).isPresent()) {
            // In a loop whose trip count is data: counted at the loop's bound, so an upper bound too.
            subgraphs.markDataDependent(node);
        }
        return NodeResult.Status.COUNTED;
    }

    /**
     * Node input {@code k} (not omitted) as the pass knows it, null when it does not: by position among the graph's value
     * ids for a top-level node ({@code made} not null), else by name in {@code values}.
     */
    private static TensorInfo inputOf(Node node, int k, Map<String, TensorInfo> values, Made made) {
        return made != null ? made.input(k) : values.get(node.inputs().get(k));
    }

    /**
     * Whether both are the same plain tensor (no values, bounds or elements) of one dtype and one shape object, the
     * data dependence alike: checked field by field, as the record's own equals costs more than the sharing saves.
     */
    private static boolean samePlainTensor(TensorInfo a, TensorInfo b) {
        return a.shape() == b.shape() && a.dtype() == b.dtype() && a.dataDependent() == b.dataDependent()
                && a.data().isEmpty() && b.data().isEmpty() && a.elements().isEmpty() && b.elements().isEmpty()
                && a.range().isEmpty() && b.range().isEmpty();
    }

    /** Gives each output whose values the pass does not know the bounds its inputs' bounds give (ValueRanges). */
    private static void withRanges(Node node, Map<String, TensorInfo> values, List<TensorInfo> outputs) {
        if (rangesApply(node, values, null)) {
            addRanges(node, values, null, outputs);
        }
    }

    /**
     * @param made    the top-level node's inputs by position; null to look them up by name in {@code values}
     * @param outputs the rule's outputs, not changed: a list with the bounds is returned when one is added
     * @return {@code outputs}, or a copy with bounds when some output gained one
     */
    private static List<TensorInfo> withRanges(Node node, Map<String, TensorInfo> values, Made made, List<TensorInfo> outputs) {
        if (!rangesApply(node, values, made)) {
            return outputs; // most nodes: no copy of the rule's list
        }
        List<TensorInfo> copy = new ArrayList<>(outputs);
        addRanges(node, values, made, copy);
        return copy;
    }

    /** Whether {@link ValueRanges} bounds any output of {@code node}, given whether an input has bounds. */
    private static boolean rangesApply(Node node, Map<String, TensorInfo> values, Made made) {
        boolean inputHasRange = false;
        for (int k = 0; k < node.inputs().size(); k++) {
            String input = node.inputs().get(k);
            inputHasRange |= !input.isEmpty() && inputOf(node, k, values, made).range().isPresent();
        }
        return ValueRanges.applies(node, inputHasRange);
    }

    /**
     * Sets the bounds {@link ValueRanges} gives into {@code outputs}, for a node {@link #rangesApply} holds for.
     *
     * @param made the top-level node's inputs by position; null to look them up by name in {@code values}
     */
    private static void addRanges(Node node, Map<String, TensorInfo> values, Made made, List<TensorInfo> outputs) {
        // A node that reads a data-dependent size at its bound holds that bound as a constant (TorchScript's
        // add(-box[1], y_0) with y_0 = max(int(box[1]), 0) at most 393): the run's value lies between 0 and the constant,
        // so each constant input counts for that range, never for its one value.
        boolean boundsAsConstants = node.attribute(DATA_DEPENDENT).isPresent();
        List<TensorInfo> inputs = new ArrayList<>();
        for (int k = 0; k < node.inputs().size(); k++) {
            String input = node.inputs().get(k);
            TensorInfo info = input.isEmpty() ? null : inputOf(node, k, values, made);
            if (boundsAsConstants && info != null && info.hasData() && !info.isSequence()) {
                ValueRange exact = info.valueRange().orElseThrow().union();
                info = info.withoutValues().withRange(ValueRange.of(Math.min(0, exact.low(0)), Math.max(0, exact.high(0))));
            }
            inputs.add(info);
        }
        for (int i = 0; i < outputs.size() && i < node.outputs().size(); i++) {
            TensorInfo output = outputs.get(i);
            if (output == null || output.hasData()) {
                continue;
            }
            ValueRange range = ValueRanges.of(node, inputs, output, i);
            if (range != null) {
                outputs.set(i, output.withRange(range));
            }
        }
    }

    /**
     * Infers one node's outputs from known input values; loaders that must resolve shapes while building a
     * graph (TorchScript's {@code if x.dim() == 4}) call this too.
     */
    public static List<TensorInfo> inferNode(String file, Node node, OpRule rule, Map<String, TensorInfo> values) {
        List<TensorInfo> outputs = infer(new OpContext(file, node, rule.inputs(), values, null), rule);
        // The TorchScript interpreter reads bounds too: int(t.item()) of a box's clamped width is a bounded int.
        if (node.inputs().stream().allMatch(input -> input.isEmpty() || values.containsKey(input))) {
            withRanges(node, values, outputs);
        }
        return outputs;
    }

    private static List<TensorInfo> infer(OpContext ctx, OpRule rule) {
        return new ArrayList<>(inferShapes(ctx, rule));
    }

    /** The rule's outputs for the node in {@code ctx}, as the rule gave them (the caller does not change the list). */
    private static List<TensorInfo> inferShapes(OpContext ctx, OpRule rule) {
        Node node = ctx.node();
        String file = ctx.fileName();
        List<TensorInfo> outputs;
        try {
            outputs = rule.inferShapes(ctx);
        } catch (ArithmeticException e) {
            throw ctx.fail("a size overflows a 64-bit integer");
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // Shape and ConstData checks throw these on inconsistent models; say which node.
            throw ctx.fail(e.getMessage() == null ? e.toString() : stripPeriod(e.getMessage()));
        }
        if (outputs.size() < named(node.outputs())) {
            throw new ModelException(file + ": " + node.describe() + ": the rule gave " + outputs.size()
                    + " outputs for " + node.outputs().size() + " declared.");
        }
        return outputs;
    }

    /** How many of {@code names} are not empty (omitted optional outputs are). */
    private static int named(List<String> names) {
        int count = 0;
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).isEmpty()) {
                count++;
            }
        }
        return count;
    }

    /** A HashMap capacity that holds {@code entries} without rehashing. */
    static int capacity(int entries) {
        return (int) Math.min(1 << 30, entries * 4L / 3 + 16);
    }

    private static String stripPeriod(String message) {
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }
}
