package dev.tally.verify;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Graph;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cross-checks themselves: pure comparisons of a static {@link Analysis} with what an engine or the stored
 * bytes showed, one {@link Check} row each. Kept apart from the engines so that they can be tested with
 * hand-made analyses.
 */
final class CrossChecks {
    private CrossChecks() {
    }

    /** The static tally the analysis reports: params and buffers, each stored tensor once. */
    record Tally(long params, long buffers) {
        static Tally of(Analysis analysis) {
            long params = 0;
            long buffers = 0;
            List<Param> all = new ArrayList<>(analysis.unusedParams());
            for (NodeResult node : analysis.nodes()) {
                all.addAll(node.params());
            }
            for (Param param : all) {
                if (param.role() == Role.PARAM) {
                    params = Math.addExact(params, param.numel());
                } else if (param.role() == Role.BUFFER) {
                    buffers = Math.addExact(buffers, param.numel());
                }
            }
            return new Tally(params, buffers);
        }
    }

    /**
     * One row per model output: the engine's shape against the shape pass's. Outputs are matched by position,
     * as TorchScript outputs have no names; a differing count is a failing row of its own.
     *
     * @param actual the engine's output shapes in graph output order; null where the engine produced none
     */
    static List<Check> outputShapes(Analysis analysis, List<Shape> actual, String engine) {
        List<Check> checks = new ArrayList<>();
        List<Analysis.Output> outputs = analysis.outputs();
        if (outputs.size() != actual.size()) {
            checks.add(new Check("output count (" + engine + ")", String.valueOf(outputs.size()),
                    String.valueOf(actual.size()), false));
        }
        for (int i = 0; i < outputs.size(); i++) {
            Analysis.Output output = outputs.get(i);
            Shape shape = i < actual.size() ? actual.get(i) : null;
            Optional<Shape> predicted = output.info().map(TensorInfo::shape);
            if (output.info().isPresent() && output.info().get().dataDependent()) {
                // A size that depends on the data has a bound: the run must match it (same rank, no axis larger).
                checks.add(new Check("output '" + output.name() + "' shape (" + engine + ", matches the bound)",
                        "at most " + predicted.get(), shape == null ? "not produced" : shape.toString(),
                        shape != null && withinBound(predicted.get(), shape)));
                continue;
            }
            checks.add(new Check("output '" + output.name() + "' shape (" + engine + ")",
                    predicted.map(Shape::toString).orElse("unresolved (an unsupported op feeds it)"),
                    shape == null ? "not produced" : shape.toString(),
                    predicted.isPresent() && predicted.get().equals(shape)));
        }
        return checks;
    }

    /**
     * One row for every intermediate value at once: each node output the shape pass resolved against the shape
     * the engine produced, in node order. A failure names the first node where the two part, with its layer.
     *
     * @param actual the engine's shapes by value name
     * @param notes  receives a sentence about values that could not be compared
     */
    static Check intermediateShapes(Analysis analysis, Map<String, Shape> actual, String engine, List<String> notes) {
        int compared = 0;
        int differ = 0;
        int unpredicted = 0;
        int notProduced = 0;
        int bounded = 0;
        String first = null;
        for (NodeResult result : analysis.nodes()) {
            Node node = result.node();
            List<String> names = node.outputs().stream().filter(n -> !n.isEmpty()).toList();
            if (result.status() != NodeResult.Status.COUNTED) {
                unpredicted += names.size();
                continue;
            }
            for (int i = 0; i < names.size() && i < result.outputs().size(); i++) {
                Shape engineShape = actual.get(names.get(i));
                if (engineShape == null) {
                    notProduced++;
                    continue;
                }
                Shape predicted = result.outputs().get(i).shape();
                compared++;
                boolean dependent = result.outputs().get(i).dataDependent();
                bounded += dependent ? 1 : 0;
                if (dependent ? !withinBound(predicted, engineShape) : !predicted.equals(engineShape)) {
                    differ++;
                    if (first == null) {
                        first = "first differs at " + node.describe() + ", layer '" + node.layer() + "': value '"
                                + names.get(i) + "' is " + engineShape + ", predicted " + predicted;
                    }
                }
            }
        }
        if (unpredicted > 0) {
            notes.add(unpredicted + " intermediate values were not compared: the shape pass left them unresolved (unsupported ops are listed by summary).");
        }
        if (bounded > 0) {
            notes.add(bounded + " intermediate values have data-dependent sizes: each matched its bound (the same rank, no"
                    + " axis larger than the shape pass's bound), not an exact shape.");
        }
        if (notProduced > 0) {
            notes.add(notProduced + " intermediate values the shape pass resolved were not among " + engine + "'s outputs, so they were not compared.");
        }
        String check = "every intermediate shape (" + engine + ")";
        String expected = compared + " values as the shape pass predicts";
        if (compared == 0) {
            return new Check(check, expected, "no value could be compared", false);
        }
        if (first == null) {
            return new Check(check, expected, bounded == 0 ? "all " + compared + " equal"
                    : "all " + compared + " equal or within their bounds", true);
        }
        return new Check(check, expected, first + " (" + differ + " of " + compared + " differ)", false);
    }

    /** Whether a run's shape matches a data-dependent bound: the same rank and no axis larger. */
    static boolean withinBound(Shape bound, Shape actual) {
        if (bound.rank() != actual.rank()) {
            return false;
        }
        for (int axis = 0; axis < bound.rank(); axis++) {
            if (actual.dim(axis) > bound.dim(axis)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The TorchScript param tally: the static params against the sum of DJL's parameter tensors. DJL lists what
     * {@code module.named_parameters()} yields, which leaves buffers out, so buffers are not compared here.
     */
    static Check engineParams(Analysis analysis, List<PtRunner.Tensor> engineParams) {
        long total = 0;
        for (PtRunner.Tensor tensor : engineParams) {
            total = Math.addExact(total, tensor.numel());
        }
        long expected = Tally.of(analysis).params();
        return new Check("params (" + engineParams.size() + " DJL parameter tensors)", count(expected), count(total),
                expected == total);
    }

    /**
     * The ONNX param tally by an independent route: for every stored tensor the loader lists as a param or
     * buffer, the elements its bytes hold (found by the tensor's source name: torch.onnx merges equal
     * initializers and names the copies through Identity nodes, and the loader gives each copy back its own
     * count, as PyTorch counts it), plus any initializer the loader listed under no name, counted as a param.
     * Compared with the static params and buffers, which the analysis took from the dims.
     */
    static List<Check> storedParams(Analysis analysis, List<StoredWeights.Stored> stored) {
        Graph graph = analysis.model().graph();
        Map<String, StoredWeights.Stored> byName = new LinkedHashMap<>();
        for (StoredWeights.Stored tensor : stored) {
            byName.putIfAbsent(tensor.name(), tensor);
        }
        Set<String> claimed = new HashSet<>(graph.constants().keySet());
        Sum params = new Sum();
        Sum buffers = new Sum();
        for (Param param : graph.params().values()) {
            claimed.add(param.sourceName());
            claimed.add(param.name());
            if (param.role() == Role.CONSTANT) {
                continue;
            }
            Sum sum = param.role() == Role.PARAM ? params : buffers;
            StoredWeights.Stored tensor = byName.get(param.sourceName());
            if (tensor == null) {
                sum.gap("'" + param.name() + "' has no stored bytes under '" + param.sourceName() + "'");
                continue;
            }
            sum.add(tensor);
        }
        for (StoredWeights.Stored tensor : stored) {
            if (tensor.initializer() && !claimed.contains(tensor.name())) {
                params.add(tensor);
                params.gap("initializer '" + tensor.name() + "' is not among the model's tensors");
            }
        }
        Tally tally = Tally.of(analysis);
        List<Check> checks = new ArrayList<>();
        checks.add(stored("params", params, tally.params()));
        if (tally.buffers() != 0 || buffers.elements != 0) {
            checks.add(stored("buffers", buffers, tally.buffers()));
        }
        return checks;
    }

    /** Elements summed over stored tensors, with the first tensor whose bytes disagree with its dims. */
    private static final class Sum {
        long elements;
        int tensors;
        String firstGap;

        void add(StoredWeights.Stored tensor) {
            elements = Math.addExact(elements, tensor.storedElements());
            tensors++;
            if (tensor.storedElements() != tensor.declaredElements()) {
                gap("'" + tensor.name() + "' stores " + count(tensor.storedElements()) + " elements in "
                        + tensor.storage() + ", its dims say " + count(tensor.declaredElements()));
            }
        }

        void gap(String what) {
            firstGap = firstGap == null ? what : firstGap;
        }
    }

    private static Check stored(String what, Sum sum, long expected) {
        return new Check(what + " (elements in the stored bytes of " + sum.tensors + " tensors)", count(expected),
                count(sum.elements) + (sum.firstGap == null ? "" : "; " + sum.firstGap),
                expected == sum.elements && sum.firstGap == null);
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
