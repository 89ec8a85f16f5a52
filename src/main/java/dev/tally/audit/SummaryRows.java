package dev.tally.audit;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The core passes' result folded per layer (module path) for the audit report: the same fields and names as
 * the {@code summary} JSON contract ({@code layers}, {@code totals}).
 */
public final class SummaryRows {
    private SummaryRows() {
    }

    /** One layer: its nodes' counts summed, the type and output shape of its last counted node. */
    public record Layer(String name, String type, List<Long> outputShape, long params, long buffers, long macs,
                        long flops, long ops, long activationBytes) {
    }

    public record Totals(long params, long buffers, long paramBytes, long macs, long flops, long ops,
                         long activationBytes, List<String> unsupported) {
    }

    public static List<Layer> layers(Analysis analysis) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        for (NodeResult node : analysis.nodes()) {
            String layer = node.node().layer();
            long[] s = sums.computeIfAbsent(layer, k -> new long[6]);
            for (Param param : node.params()) {
                if (param.role() == Role.PARAM) {
                    s[0] = Math.addExact(s[0], param.numel());
                } else if (param.role() == Role.BUFFER) {
                    s[1] = Math.addExact(s[1], param.numel());
                }
            }
            s[2] = Math.addExact(s[2], node.cost().macs());
            s[3] = Math.addExact(s[3], Math.multiplyExact(2, node.cost().macs()));
            s[4] = Math.addExact(s[4], node.cost().ops());
            s[5] = Math.addExact(s[5], node.activationBytes());
            if (node.status() == NodeResult.Status.COUNTED && !node.outputs().isEmpty() && !isPlumbing(node.node().opType())) {
                types.put(layer, node.node().opType());
                TensorInfo out = node.outputs().get(0);
                shapes.put(layer, out.shape().dims());
            }
        }
        List<Layer> layers = new ArrayList<>();
        sums.forEach((name, s) -> layers.add(new Layer(name, types.getOrDefault(name, ""), shapes.getOrDefault(name, List.of()),
                s[0], s[1], s[2], s[3], s[4], s[5])));
        return layers;
    }

    public static Totals totals(Analysis analysis) {
        long params = 0;
        long buffers = 0;
        long bytes = 0;
        long macs = 0;
        long ops = 0;
        long activation = 0;
        List<String> unsupported = new ArrayList<>();
        for (NodeResult node : analysis.nodes()) {
            for (Param param : node.params()) {
                if (param.role() == Role.PARAM) {
                    params = Math.addExact(params, param.numel());
                } else if (param.role() == Role.BUFFER) {
                    buffers = Math.addExact(buffers, param.numel());
                }
                if (param.role() != Role.CONSTANT) {
                    bytes = Math.addExact(bytes, param.bytes());
                }
            }
            macs = Math.addExact(macs, node.cost().macs());
            ops = Math.addExact(ops, node.cost().ops());
            activation = Math.addExact(activation, node.activationBytes());
            if (node.status() == NodeResult.Status.UNSUPPORTED && !unsupported.contains(node.node().opType())) {
                unsupported.add(node.node().opType());
            }
        }
        return new Totals(params, buffers, bytes, macs, Math.multiplyExact(2, macs), ops, activation, unsupported);
    }

    /** Ops that only move or describe data; a layer's type is the op that computes. */
    private static boolean isPlumbing(String op) {
        return switch (op) {
            case "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Identity", "Cast" -> true;
            default -> false;
        };
    }
}
