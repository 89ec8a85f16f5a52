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
import java.util.IdentityHashMap;
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

    /** The result: every value the pass could resolve, and each node's status (looked up by the graph's own node objects). */
    public record Result(Map<String, TensorInfo> values, Map<Node, NodeResult.Status> status) {
        public Result {
            values = Collections.unmodifiableMap(values);
            status = Collections.unmodifiableMap(status);
        }
    }

    public Result run(Model model, List<ResolvedInput> inputs) {
        Graph graph = model.graph();
        String file = model.path().getFileName().toString();
        Map<String, TensorInfo> values = new HashMap<>(capacity(graph.params().size() + graph.constants().size() + graph.nodes().size()));
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
        // By identity and sized up front: a million-node graph otherwise spends its time hashing and rehashing nodes.
        Map<Node, NodeResult.Status> status = new IdentityHashMap<>(graph.nodes().size());
        for (Node node : graph.nodes()) {
            status.put(node, inferInto(file, node, values));
        }
        return new Result(values, status);
    }

    private NodeResult.Status inferInto(String file, Node node, Map<String, TensorInfo> values) {
        Optional<OpRule> rule = rules.lookup(node.opType());
        if (rule.isEmpty()) {
            if (strict) {
                throw new UnsupportedOpException(file + ": " + node.describe() + ": no rule for op '" + node.opType()
                        + "', and --strict makes that an error; run without --strict to see the other ops counted.");
            }
            return NodeResult.Status.UNSUPPORTED;
        }
        for (String input : node.inputs()) {
            if (!input.isEmpty() && !values.containsKey(input)) {
                return NodeResult.Status.UNRESOLVED;
            }
        }
        List<TensorInfo> outputs = inferNode(file, node, rule.get(), values);
        for (int i = 0; i < node.outputs().size(); i++) {
            if (!node.outputs().get(i).isEmpty()) {
                values.put(node.outputs().get(i), outputs.get(i));
            }
        }
        return NodeResult.Status.COUNTED;
    }

    /**
     * Infers one node's outputs from known input values; loaders that must resolve shapes while building a
     * graph (TorchScript's {@code if x.dim() == 4}) call this too.
     */
    public static List<TensorInfo> inferNode(String file, Node node, OpRule rule, Map<String, TensorInfo> values) {
        OpContext ctx = new OpContext(file, node, rule.inputs(), values, null);
        List<TensorInfo> outputs;
        try {
            outputs = rule.inferShapes(ctx);
        } catch (ArithmeticException e) {
            throw ctx.fail("a size overflows a 64-bit integer");
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // Shape and ConstData checks throw these on inconsistent models; say which node.
            throw ctx.fail(e.getMessage() == null ? e.toString() : stripPeriod(e.getMessage()));
        }
        if (outputs.size() < node.outputs().stream().filter(o -> !o.isEmpty()).count()) {
            throw new ModelException(file + ": " + node.describe() + ": the rule gave " + outputs.size()
                    + " outputs for " + node.outputs().size() + " declared.");
        }
        return new ArrayList<>(outputs);
    }

    /** A HashMap capacity that holds {@code entries} without rehashing. */
    static int capacity(int entries) {
        return (int) Math.min(1 << 30, entries * 4L / 3 + 16);
    }

    private static String stripPeriod(String message) {
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }
}
