package dev.tally.analysis;

import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.util.SecondThread;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Costs every resolved node with its rule, gives each stored tensor to the first node that reads it (so a
 * shared weight is counted once), and measures activation memory.
 */
public final class CostPass {
    private final RuleTable rules;

    public CostPass(RuleTable rules) {
        this.rules = rules;
    }

    /**
     * Graphs of this many nodes or more are costed in two halves at once, the second half on a {@link SecondThread}: a
     * node's cost reads only the shape pass's results, which nothing changes any more. Tests lower it.
     */
    static volatile int twoThreads = SecondThread.GRAPH_NODES;

    public List<NodeResult> run(Model model, ShapePass.Result shapes) {
        Graph graph = model.graph();
        String file = model.path().getFileName().toString();
        int n = graph.nodes().size();
        List<List<Param>> params = graph.params().isEmpty() ? null : claims(graph);
        // Not a graph with subgraphs: their bodies' analyses are cached in maps that one thread fills.
        if (n < twoThreads || hasSubgraphs(graph)) {
            return run(file, graph, shapes, params, 0, n);
        }
        int half = n / 2;
        List<List<NodeResult>> second = new ArrayList<>(List.of(List.of()));
        SecondThread helper = SecondThread.start("tally-costs",
                () -> second.set(0, run(file, graph, shapes, params, half, n)));
        List<NodeResult> results = null;
        try {
            results = run(file, graph, shapes, params, 0, half);
        } catch (RuntimeException e) {
            helper.join(e); // the first half's failure is the one a single thread would have met first
        }
        helper.join(null);
        results.addAll(second.get(0));
        return results;
    }

    /**
     * The stored tensors each node is given, by node index: those of its inputs that no node before it read (a shared
     * weight is counted once, at its first reader), constants never.
     */
    private static List<List<Param>> claims(Graph graph) {
        Set<String> claimed = new HashSet<>();
        List<List<Param>> byNode = new ArrayList<>(graph.nodes().size());
        for (Node node : graph.nodes()) {
            List<Param> params = List.of();
            for (int k = 0; k < node.inputs().size(); k++) {
                String input = node.inputs().get(k);
                Param param = graph.params().get(input);
                if (param != null && param.role() != Role.CONSTANT && claimed.add(input)) {
                    if (params.isEmpty()) {
                        params = new ArrayList<>(2);
                    }
                    params.add(param);
                }
            }
            byNode.add(params);
        }
        return byNode;
    }

    private static boolean hasSubgraphs(Graph graph) {
        for (Node node : graph.nodes()) {
            if (!node.attributes().isEmpty()) {
                for (dev.tally.ir.Attribute attribute : node.attributes().values()) {
                    if (attribute instanceof dev.tally.ir.Attribute.SubGraph) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The results of nodes {@code from} to {@code to}, each followed by what its subgraphs could not count.
     *
     * @param claims each node's stored tensors ({@link #claims}); null when the graph has none
     */
    private List<NodeResult> run(String file, Graph graph, ShapePass.Result shapes, List<List<Param>> claims,
                                 int from, int to) {
        List<NodeResult> results = new ArrayList<>(to - from);
        // The last few distinct costs: a node whose cost equals one of them keeps that object (a chain cycling four
        // elementwise ops kept half a million equal costs when only the node before's was reused).
        Cost[] recent = new Cost[8];
        int nextRecent = 0;
        // Per node, nothing is made that the node does not need (C1, the launcher's compiler, does not elide an
        // iterator, an Optional or an empty list): on issue 14's one-million-node chain this pass allocated 370 MB.
        boolean anyNotes = !shapes.notes().isEmpty();
        for (int i = from; i < to; i++) {
            Node node = graph.nodes().get(i);
            NodeResult.Status status = shapes.status().get(i);
            List<Param> params = claims == null ? List.of() : claims.get(i);
            String note = anyNotes ? shapes.notes().getOrDefault(node, "") : "";
            if (status != NodeResult.Status.COUNTED) {
                results.add(new NodeResult(node, status, List.of(), Cost.ZERO, params, 0,
                        shapes.subgraphs().isDataDependent(node), note));
                continue;
            }
            List<TensorInfo> outputs = shapes.made().get(i);
            RuleTable.Registered registered = rules.find(node.opType());
            OpRule rule = registered.rule();
            OpContext ctx = new OpContext(file, node, registered.inputs(), shapes.values(), outputs, shapes.subgraphs());
            if (shapes.values() instanceof IdValues byId) {
                ctx.atNode(byId, i);
            }
            Cost cost;
            long activationBytes;
            try {
                // A node in a loop whose trip count is data runs at most the loop's bound times (ShapePass.REPEATS).
                cost = costOf(rule, ctx, outputs).times(ShapePass.repeats(node));
                // One object for equal costs met lately (a chain of elementwise ops keeps a few, not a million).
                Cost known = null;
                for (int k = 0; k < recent.length && known == null; k++) {
                    if (recent[k] != null && recent[k].macs() == cost.macs() && recent[k].ops() == cost.ops()) {
                        known = recent[k];
                    }
                }
                if (known == null) {
                    recent[nextRecent] = cost;
                    nextRecent = (nextRecent + 1) % recent.length;
                }
                cost = known != null ? known : cost;
                // A Range of 2^62 elements has a shape but no byte count that fits: refused here, not an internal error.
                activationBytes = activationBytes(outputs);
            } catch (ArithmeticException e) {
                throw ctx.fail("its count overflows a 64-bit integer");
            }
            boolean dataDependent = shapes.readsDataDependent(i) || makesDataDependent(outputs)
                    || shapes.subgraphs().isDataDependent(node);
            results.add(new NodeResult(node, status, resolved(outputs), cost, params, activationBytes, dataDependent, note));
            // What a subgraph of this node could not count is listed right after it, so it is never a silent zero.
            Map<Node, NodeResult.Status> gaps = shapes.subgraphs().gapsOf(node);
            if (!gaps.isEmpty()) {
                for (Map.Entry<Node, NodeResult.Status> gap : gaps.entrySet()) {
                    results.add(new NodeResult(gap.getKey(), gap.getValue(), List.of(), Cost.ZERO, List.of(), 0,
                            shapes.subgraphs().isDataDependent(gap.getKey()), shapes.subgraphs().gapNote(gap.getKey())));
                }
            }
        }
        return results;
    }

    /** A resolved node's cost; nothing when its outputs are all folded at analysis time. */
    static Cost costOf(OpRule rule, OpContext ctx, List<TensorInfo> outputs) {
        return isMetadata(outputs) ? Cost.ZERO : rule.cost(ctx);
    }

    /**
     * The outputs the shape pass could size, up to the first it could not (a Loop's stacked outputs without a trip
     * count): the memory and receptive-field passes pair outputs with names by position, so none may shift.
     */
    static List<TensorInfo> resolved(List<TensorInfo> outputs) {
        for (int end = 0; end < outputs.size(); end++) {
            if (outputs.get(end) == null) {
                return outputs.subList(0, end); // (indexOf(null) throws on an unmodifiable List.of)
            }
        }
        return outputs;
    }

    /** Whether a node reads or makes a data-dependent value, so its count is the bound's. */
    static boolean isDataDependent(Node node, Map<String, TensorInfo> values, List<TensorInfo> outputs) {
        for (String input : node.inputs()) {
            TensorInfo info = input.isEmpty() ? null : values.get(input);
            if (info != null && info.dataDependent()) {
                return true;
            }
        }
        return makesDataDependent(outputs);
    }

    /** Whether a sized output of a node is data-dependent. */
    private static boolean makesDataDependent(List<TensorInfo> outputs) {
        List<TensorInfo> resolved = resolved(outputs);
        for (int i = 0; i < resolved.size(); i++) {
            if (resolved.get(i).dataDependent()) {
                return true;
            }
        }
        return false;
    }

    /** Stored tensors no node reads (an unused auxiliary head); they still count in the totals, as in PyTorch. */
    public static List<Param> unusedParams(Graph graph) {
        if (graph.params().isEmpty()) {
            return new ArrayList<>(); // no walk over every input of a graph without stored tensors
        }
        // Only the names of stored tensors: a set of every input would hold a million activations of a long chain.
        Set<String> read = new HashSet<>();
        for (Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                if (graph.params().containsKey(input)) {
                    read.add(input);
                }
            }
        }
        List<Param> unused = new ArrayList<>();
        for (Param param : graph.params().values()) {
            if (param.role() != Role.CONSTANT && !read.contains(param.name())) {
                unused.add(param);
            }
        }
        return unused;
    }

    /**
     * A node whose every output value the shape pass already knows (Shape, Constant, arithmetic on shapes)
     * is folded at analysis time: it computes nothing at run time, so it costs nothing.
     */
    private static boolean isMetadata(List<TensorInfo> outputs) {
        for (int i = 0; i < outputs.size(); i++) {
            TensorInfo output = outputs.get(i);
            if (output == null || !output.hasData()) {
                return false;
            }
        }
        return !outputs.isEmpty();
    }

    /** The node's outputs in output order; null where the shape pass could not size one. */
    static List<TensorInfo> outputsOf(Node node, Map<String, TensorInfo> values) {
        List<TensorInfo> outputs = new ArrayList<>();
        for (String output : node.outputs()) {
            if (!output.isEmpty()) {
                outputs.add(values.get(output));
            }
        }
        return outputs;
    }

    /**
     * Bytes of the outputs computed at run time. Outputs whose values the shape pass already knows (Shape,
     * Constant, and arithmetic on them) are metadata folded at analysis time, not activations.
     */
    private static long activationBytes(List<TensorInfo> outputs) {
        long bytes = 0;
        for (int i = 0; i < outputs.size(); i++) {
            TensorInfo output = outputs.get(i);
            if (output != null && !output.hasData()) {
                bytes = Math.addExact(bytes, output.bytes());
            }
        }
        return bytes;
    }
}
