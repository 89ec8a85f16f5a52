package dev.tally.analysis;

import dev.tally.analysis.fused.ExportedGelu;
import dev.tally.analysis.saved.Kept;
import dev.tally.analysis.saved.SavedRule;
import dev.tally.analysis.saved.SavedRules;
import dev.tally.ir.DType;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Training memory at the analysed batch (docs/conventions.md, "Training memory").
 *
 * <p>Saved activations follow the per-op rules of {@link SavedRules}. A tensor two ops keep, or that a view or an
 * in-place op shares, counts once: the storages come from the memory pass in train mode
 * ({@link MemoryPass#run(Analysis, boolean)}). An op that writes into its input while its backward needs that input
 * as it was (ReLU6's {@code hardtanh_}) makes autograd keep a copy of it, a new tensor.
 *
 * <p>The backward runs the nodes in reverse order. A saved tensor is freed once the backward of the first node (in
 * forward order) that keeps it has run; while a node's backward runs, the gradients of its outputs, of its activation
 * inputs and of its trainable params are live on top. The backward transient is the most this adds above the saved
 * activations at the backward's start.
 */
public final class TrainingPass {
    private static final SavedRules RULES = SavedRules.standard();

    private TrainingPass() {
    }

    public static TrainingMemory run(Analysis analysis, Optimizer optimizer) {
        return run(MemoryPass.prepare(analysis), optimizer);
    }

    /** The training memory from a preparation the inference run shared (its slots are reset and reused). */
    public static TrainingMemory run(MemoryPass.Prepared prepared, Optimizer optimizer) {
        Analysis analysis = prepared.analysis();
        MemoryPass.Run run = MemoryPass.simulate(prepared, true);
        MemoryPass.Result memory = run.result();
        // Lookups into the run's own slots: a map of every value's storage and another of its shape were 130 MB more
        // on issue 14's one-million-node chain.
        Map<String, Integer> storageOf = memory.storageOf();
        java.util.function.Function<String, TensorInfo> values = run::value;
        List<NodeResult> nodes = analysis.nodes();
        int n = nodes.size();
        // firstKeeper[s]: the first node that keeps storage s for backward; -1 when none does.
        int[] firstKeeper = new int[memory.storageBytes().size()];
        java.util.Arrays.fill(firstKeeper, -1);
        long[] freshAt = new long[n];
        long[] gradientsAt = new long[n];
        long weights = 0;
        long trainable = 0;
        long trainableTensors = 0;
        long largestTrainable = 0;
        Set<String> unmodelled = new LinkedHashSet<>();
        Map<Integer, String> gelu = ExportedGelu.parts(nodes.stream().map(NodeResult::node).toList());
        // Values autograd tracks: made from a trainable param. The model input is data and needs no gradient.
        Set<String> requiresGrad = new HashSet<>();
        for (int k = 0; k < n; k++) {
            NodeResult result = nodes.get(k);
            long paramGradients = 0;
            for (Param param : result.params()) {
                if (param.role() == Role.CONSTANT) {
                    continue;
                }
                weights = Math.addExact(weights, param.bytes());
                if (param.role() == Role.PARAM && !param.frozen()) {
                    trainable = Math.addExact(trainable, param.bytes());
                    trainableTensors++;
                    largestTrainable = Math.max(largestTrainable, param.bytes());
                    paramGradients = Math.addExact(paramGradients, param.bytes());
                }
            }
            List<String> inputNames = result.node().inputs();
            List<String> outputNames = result.node().outputs().stream().filter(o -> !o.isEmpty()).toList();
            if (result.status() != NodeResult.Status.COUNTED || outputNames.stream().noneMatch(storageOf::containsKey)) {
                continue; // not counted, or shape arithmetic on constants: nothing of it runs in backward
            }
            Set<String> trainableInputs = new HashSet<>();
            for (Param param : result.params()) {
                if (param.role() == Role.PARAM && !param.frozen()) {
                    trainableInputs.add(param.name());
                }
            }
            List<Boolean> needsGradient = new ArrayList<>();
            for (String name : inputNames) {
                needsGradient.add(requiresGrad.contains(name) || trainableInputs.contains(name));
            }
            if (!needsGradient.contains(true)) {
                // No input needs a gradient (the model input, constants, frozen weights, a mask built from shapes):
                // autograd records no backward for the op, so it keeps nothing and its backward does not run.
                continue;
            }
            for (int o = 0; o < outputNames.size() && o < result.outputs().size(); o++) {
                DType type = result.outputs().get(o).dtype();
                if (!type.isIntegral()) {
                    requiresGrad.add(outputNames.get(o));
                }
            }
            long gradients = paramGradients;
            for (int o = 0; o < outputNames.size() && o < result.outputs().size(); o++) {
                if (storageOf.containsKey(outputNames.get(o))) {
                    gradients = Math.addExact(gradients, result.outputs().get(o).bytes());
                }
            }
            for (String name : new LinkedHashSet<>(inputNames)) {
                Integer storage = storageOf.get(name);
                if (storage != null) {
                    gradients = Math.addExact(gradients, values.apply(name) == null ? memory.storageBytes().get(storage)
                            : values.apply(name).bytes());
                }
            }
            gradientsAt[k] = gradients;
            Optional<SavedRule> rule = gelu.containsKey(k) ? RULES.part(gelu.get(k)) : RULES.rule(result.node());
            if (rule.isEmpty()) {
                unmodelled.add(result.node().opType());
                continue;
            }
            List<TensorInfo> inputs = new ArrayList<>();
            for (String name : inputNames) {
                inputs.add(name.isEmpty() ? null : values.apply(name));
            }
            List<long[]> strides = new ArrayList<>();
            for (String name : inputNames) {
                // Activations only (weights and constants are never copied); a value the map lacks is row-major.
                strides.add(name.isEmpty() ? null : run.strides(name));
            }
            Kept keeps = rule.get().kept(inputs, result.outputs(), needsGradient, strides);
            long fresh = keeps.freshBytes();
            Integer written = outputNames.isEmpty() ? null : storageOf.get(outputNames.get(0));
            for (int i : keeps.inputs()) {
                Integer storage = i < inputNames.size() ? storageOf.get(inputNames.get(i)) : null;
                if (storage == null) {
                    continue; // a weight or a constant: stored, not an activation
                }
                if (storage.equals(written)) {
                    // In place, and the backward needs the input as it was: autograd keeps a copy.
                    fresh = Math.addExact(fresh, values.apply(inputNames.get(i)).bytes());
                } else if (firstKeeper[storage] < 0) {
                    firstKeeper[storage] = k;
                }
            }
            for (int o : keeps.outputs()) {
                Integer storage = o < outputNames.size() ? storageOf.get(outputNames.get(o)) : null;
                if (storage != null && firstKeeper[storage] < 0) {
                    firstKeeper[storage] = k;
                }
            }
            freshAt[k] = fresh;
        }
        for (Param param : analysis.unusedParams()) {
            if (param.role() != Role.CONSTANT) {
                weights = Math.addExact(weights, param.bytes());
            }
        }
        // savedUpTo[k]: saved bytes that only nodes 0..k still need, i.e. live while node k's backward runs.
        long[] keptAt = freshAt.clone();
        for (int s = 0; s < firstKeeper.length; s++) {
            if (firstKeeper[s] >= 0) {
                keptAt[firstKeeper[s]] = Math.addExact(keptAt[firstKeeper[s]], memory.storageBytes().get(s));
            }
        }
        long saved = 0;
        long backwardPeak = 0;
        for (int k = 0; k < n; k++) {
            saved = Math.addExact(saved, keptAt[k]);
            backwardPeak = Math.max(backwardPeak, Math.addExact(saved, gradientsAt[k]));
        }
        long state = Math.addExact(Math.multiplyExact(trainable, (long) optimizer.copies()), optimizer.counterBytes(trainableTensors));
        long step = optimizer.stepTemporaries() ? Math.multiplyExact(2L, largestTrainable) : 0;
        return new TrainingMemory(optimizer, weights, trainable, state, saved, backwardPeak - saved, step, List.copyOf(unmodelled));
    }
}
