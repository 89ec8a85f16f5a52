package dev.tally.analysis;

import dev.tally.ir.ConstTensor;
import dev.tally.ir.Graph;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Analyses the bodies of ONNX If, Loop and Scan: the body's nodes are inferred and costed as the main graph's are, with
 * the names it reads from the enclosing graphs resolved to their values there. Nesting is bounded by
 * {@link #MAX_DEPTH}, so no file decides how deep the analysis recurses. One instance serves one graph (the model's,
 * or one analysis of a body), so a body is analysed once per set of formal inputs and the cost pass reuses the shape
 * pass's analysis.
 */
public final class Subgraphs {
    /** How many levels of bodies inside bodies are analysed; deeper nesting is refused with a message. */
    public static final int MAX_DEPTH = 16;

    /**
     * One analysed body.
     *
     * @param outputs       the body's outputs in order; null where the body could not size one
     * @param cost          the body's nodes summed, once
     * @param complete      whether every node of the body was counted
     * @param dataDependent whether any of its sizes or counts is data-dependent (an upper bound)
     */
    public record Body(List<TensorInfo> outputs, Cost cost, boolean complete, boolean dataDependent, List<String> bounds) {
        public Body {
            outputs = Collections.unmodifiableList(new ArrayList<>(outputs));
            bounds = List.copyOf(bounds);
        }

        /**
         * The bounds the body's own nodes state ("Resize_2459: its sizes are computed from the data, at most ..."), for
         * the owner's note: a size bounded inside a body is reported where the body is counted.
         */
        public String boundsNote() {
            return bounds.isEmpty() ? "" : "; inside its body, " + String.join("; ", bounds);
        }
    }

    /**
     * How many body analyses one model may need in all: Loops whose carried shapes change are analysed once per
     * iteration (up to 256), so nesting could otherwise multiply the work without bound.
     */
    public static final long MAX_ANALYSES = 10_000;

    /** How many of a body's stated bounds its owner's note repeats (a body with thousands of bounded nodes says the first). */
    private static final int MAX_BOUND_NOTES = 8;

    private static String stripPeriod(String sentence) {
        return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
    }

    private final RuleTable rules;
    private final boolean strict;
    private final int depth;
    private final long[] analyses;
    private final Map<Graph, Map<List<TensorInfo>, Body>> cache = new IdentityHashMap<>();
    private final Map<Node, Map<Node, NodeResult.Status>> gaps = new IdentityHashMap<>();
    private final Map<Node, String> gapNotes = new IdentityHashMap<>();
    private final Set<Node> dataDependentOwners = Collections.newSetFromMap(new IdentityHashMap<>());

    Subgraphs(RuleTable rules, boolean strict) {
        this(rules, strict, 0, new long[1]);
    }

    private Subgraphs(RuleTable rules, boolean strict, int depth, long[] analyses) {
        this.rules = rules;
        this.strict = strict;
        this.depth = depth;
        this.analyses = analyses;
    }

    /** The body nodes of {@code owner}'s subgraphs (at any depth) that were not counted, with why. */
    public Map<Node, NodeResult.Status> gapsOf(Node owner) {
        return gaps.getOrDefault(owner, Map.of());
    }

    /** What the shape pass said of a body node that was not counted (a size with no bound); empty when nothing. */
    public String gapNote(Node gap) {
        return gapNotes.getOrDefault(gap, "");
    }

    /** Whether {@code owner}'s rule stated a bound, or a body analysed for it has a data-dependent size or count. */
    public boolean isDataDependent(Node owner) {
        return dataDependentOwners.contains(owner);
    }

    /** Records that {@code node}'s count is a bound (its rule said so), for the cost pass. */
    void markDataDependent(Node node) {
        dataDependentOwners.add(node);
    }

    Body analyze(OpContext ctx, Graph graph, List<TensorInfo> formals, Map<String, TensorInfo> outer) {
        Node owner = ctx.node();
        if (depth >= MAX_DEPTH) {
            throw ctx.fail("its subgraphs nest more than " + MAX_DEPTH + " levels deep, and Tally analyses at most "
                    + MAX_DEPTH + " levels of If, Loop and Scan bodies");
        }
        if (formals.size() != graph.inputs().size()) {
            throw ctx.fail("its subgraph '" + graph.name() + "' declares " + graph.inputs().size()
                    + " inputs, but the op passes it " + formals.size());
        }
        Map<List<TensorInfo>, Body> bodies = cache.computeIfAbsent(graph, g -> new HashMap<>());
        Body cached = bodies.get(formals);
        if (cached != null) {
            return cached;
        }
        if (++analyses[0] > MAX_ANALYSES) {
            throw ctx.fail("its subgraphs need more than " + MAX_ANALYSES + " body analyses in all, more than Tally makes"
                    + " for one model; the file is hostile or its loops change shape in every iteration");
        }
        Map<String, TensorInfo> values = new HashMap<>(outer);
        for (Param param : graph.params().values()) {
            values.put(param.name(), TensorInfo.of(param.dtype(), param.shape()));
        }
        for (Map.Entry<String, ConstTensor> constant : graph.constants().entrySet()) {
            ConstTensor tensor = constant.getValue();
            values.put(constant.getKey(), TensorInfo.constant(tensor.dtype(), tensor.shape(), tensor.data()));
        }
        for (int i = 0; i < formals.size(); i++) {
            if (formals.get(i) != null) {
                values.put(graph.inputs().get(i).name(), formals.get(i));
            } else {
                values.remove(graph.inputs().get(i).name());
            }
        }
        // A fresh instance per body analysis: its cache is valid only for these outer values.
        Subgraphs inner = new Subgraphs(rules, strict, depth + 1, analyses);
        Map<Node, NodeResult.Status> status = new LinkedHashMap<>();
        Map<Node, String> notes = new HashMap<>();
        new ShapePass(rules, strict).runNodes(ctx.fileName(), graph.nodes(), values, inner, status, notes);
        Cost cost = Cost.ZERO;
        boolean complete = true;
        boolean dataDependent = false;
        List<String> bounds = new ArrayList<>();
        Map<Node, NodeResult.Status> ownerGaps = gaps.computeIfAbsent(owner, n -> new LinkedHashMap<>());
        for (Node node : graph.nodes()) {
            NodeResult.Status nodeStatus = status.get(node);
            if (nodeStatus != NodeResult.Status.COUNTED) {
                ownerGaps.put(node, nodeStatus);
                if (notes.containsKey(node)) {
                    gapNotes.put(node, notes.get(node));
                }
                if (inner.isDataDependent(node)) {
                    dataDependentOwners.add(node);
                }
                complete = false;
                continue;
            }
            ownerGaps.putAll(inner.gapsOf(node));
            inner.gapsOf(node).keySet().forEach(gap -> {
                gapNotes.put(gap, inner.gapNote(gap));
                if (inner.isDataDependent(gap)) {
                    dataDependentOwners.add(gap);
                }
            });
            complete &= inner.gapsOf(node).isEmpty();
            List<TensorInfo> outputs = CostPass.outputsOf(node, values);
            RuleTable.Registered registered = rules.find(node.opType());
            OpRule rule = registered.rule();
            OpContext nodeCtx = new OpContext(ctx.fileName(), node, registered.inputs(), values, outputs, inner);
            try {
                cost = cost.plus(CostPass.costOf(rule, nodeCtx, outputs));
            } catch (ArithmeticException e) {
                throw nodeCtx.fail("its count overflows a 64-bit integer");
            }
            dataDependent |= CostPass.isDataDependent(node, values, outputs) || inner.isDataDependent(node);
            if (inner.isDataDependent(node) && notes.containsKey(node) && bounds.size() < MAX_BOUND_NOTES) {
                bounds.add(node.name() + " (" + node.opType() + "): " + stripPeriod(notes.get(node)));
            }
        }
        List<TensorInfo> outputs = new ArrayList<>();
        for (var output : graph.outputs()) {
            TensorInfo info = values.get(output.name());
            outputs.add(info);
            dataDependent |= info != null && info.dataDependent();
        }
        if (dataDependent) {
            dataDependentOwners.add(owner);
        }
        if (ownerGaps.isEmpty()) {
            gaps.remove(owner);
        }
        Body body = new Body(outputs, cost, complete, dataDependent, bounds);
        bodies.put(new ArrayList<>(formals), body);
        return body;
    }
}
