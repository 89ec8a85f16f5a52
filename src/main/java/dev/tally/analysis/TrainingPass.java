package dev.tally.analysis;

import dev.tally.analysis.fused.ExportedGelu;
import dev.tally.analysis.saved.Kept;
import dev.tally.analysis.saved.SavedRule;
import dev.tally.analysis.saved.SavedRules;
import dev.tally.ir.DType;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import java.util.ArrayList;
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

    /** The training memory from a preparation the inference run shares (each run keeps its own state, so both may go at once). */
    public static TrainingMemory run(MemoryPass.Prepared prepared, Optimizer optimizer) {
        Analysis analysis = prepared.analysis();
        MemoryPass.Run run = MemoryPass.simulate(prepared, true);
        MemoryPass.Result memory = run.result();
        // Each node's values through the run's own slots, by position: no name is looked up again (a map of every
        // value's storage and another of its shape were 130 MB more on issue 14's one-million-node chain, and the
        // lookups by name most of this pass's time).
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
        Map<Integer, String> gelu = ExportedGelu.parts(prepared.nodesDataflow());
        // Which of a node's inputs need a gradient: one array for all nodes, entries past the node's inputs unread.
        boolean[] needsGradient = new boolean[4];
        // Values autograd tracks (Run.requiresGrad): made from a trainable param. The model input is data and needs
        // no gradient.
        for (int k = 0; k < n; k++) {
            NodeResult result = nodes.get(k);
            long paramGradients = 0;
            for (int p = 0; p < result.params().size(); p++) {
                Param param = result.params().get(p);
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
            // The node's named outputs, in order (omitted ones left out), as slots.
            int outputCount = prepared.outputCount(k);
            List<MemoryPass.Slot> outputs = new ArrayList<>(outputCount);
            for (int o = 0; o < outputCount; o++) {
                if (prepared.output(k, o) != null) {
                    outputs.add(prepared.output(k, o));
                }
            }
            if (result.status() != NodeResult.Status.COUNTED || !anyHasStorage(run, outputs)) {
                continue; // not counted, or shape arithmetic on constants: nothing of it runs in backward
            }
            int inputCount = inputNames.size();
            if (needsGradient.length < inputCount) {
                needsGradient = new boolean[inputCount];
            }
            boolean anyNeedsGradient = false;
            for (int i = 0; i < inputCount; i++) {
                MemoryPass.Slot slot = prepared.input(k, i);
                needsGradient[i] = slot != null && run.requiresGrad(slot) || isTrainable(inputNames.get(i), result.params());
                anyNeedsGradient |= needsGradient[i];
            }
            if (!anyNeedsGradient) {
                // No input needs a gradient (the model input, constants, frozen weights, a mask built from shapes):
                // autograd records no backward for the op, so it keeps nothing and its backward does not run.
                continue;
            }
            for (int o = 0; o < outputs.size() && o < result.outputs().size(); o++) {
                DType type = result.outputs().get(o).dtype();
                if (!type.isIntegral()) {
                    run.requireGrad(outputs.get(o));
                }
            }
            long gradients = paramGradients;
            for (int o = 0; o < outputs.size() && o < result.outputs().size(); o++) {
                if (hasStorage(run, outputs.get(o))) {
                    gradients = Math.addExact(gradients, result.outputs().get(o).bytes());
                }
            }
            for (int i = 0; i < inputCount; i++) {
                MemoryPass.Slot slot = prepared.input(k, i);
                if (!hasStorage(run, slot) || readEarlier(prepared, k, i, slot)) {
                    continue; // no activation, or one counted already (a node reading one value twice gets one gradient)
                }
                TensorInfo value = prepared.value(slot, inputNames.get(i));
                gradients = Math.addExact(gradients, value == null ? memory.storageBytes().get(run.storageIndex(slot)) : value.bytes());
            }
            gradientsAt[k] = gradients;
            Optional<SavedRule> rule = gelu.containsKey(k) ? RULES.part(gelu.get(k)) : RULES.rule(result.node());
            if (rule.isEmpty()) {
                unmodelled.add(result.node().opType());
                continue;
            }
            List<TensorInfo> inputs = new ArrayList<>(inputCount);
            List<long[]> strides = new ArrayList<>(inputCount);
            List<Boolean> needs = new ArrayList<>(inputCount);
            for (int i = 0; i < inputCount; i++) {
                MemoryPass.Slot slot = prepared.input(k, i);
                inputs.add(slot == null ? null : prepared.value(slot, inputNames.get(i)));
                // Activations only (weights and constants are never copied); a value the run gave no tensor is row-major.
                strides.add(run.strides(slot));
                needs.add(needsGradient[i]);
            }
            Kept keeps = rule.get().kept(inputs, result.outputs(), needs, strides);
            long fresh = keeps.freshBytes();
            int written = outputs.isEmpty() || !hasStorage(run, outputs.get(0)) ? -1 : run.storageIndex(outputs.get(0));
            for (int i : keeps.inputs()) {
                MemoryPass.Slot slot = i < inputCount ? prepared.input(k, i) : null;
                if (!hasStorage(run, slot)) {
                    continue; // a weight or a constant: stored, not an activation
                }
                int storage = run.storageIndex(slot);
                if (storage == written) {
                    // In place, and the backward needs the input as it was: autograd keeps a copy.
                    fresh = Math.addExact(fresh, prepared.value(slot, inputNames.get(i)).bytes());
                } else if (firstKeeper[storage] < 0) {
                    firstKeeper[storage] = k;
                }
            }
            for (int o : keeps.outputs()) {
                MemoryPass.Slot slot = o < outputs.size() ? outputs.get(o) : null;
                if (hasStorage(run, slot) && firstKeeper[run.storageIndex(slot)] < 0) {
                    firstKeeper[run.storageIndex(slot)] = k;
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

    /** Whether any of the values is an activation the run gave a tensor: a loop, as a stream per node is garbage. */
    private static boolean anyHasStorage(MemoryPass.Run run, List<MemoryPass.Slot> slots) {
        for (int i = 0; i < slots.size(); i++) {
            if (hasStorage(run, slots.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the value is an activation the run gave a tensor (a model input or a node output). */
    private static boolean hasStorage(MemoryPass.Run run, MemoryPass.Slot slot) {
        return run.storageIndex(slot) >= 0;
    }

    /** Whether {@code name} is a trainable param this node is the first to read (so its gradient is this node's). */
    private static boolean isTrainable(String name, List<Param> params) {
        for (int i = 0; i < params.size(); i++) { // by index: an iterator per input is garbage
            Param param = params.get(i);
            if (param.role() == Role.PARAM && !param.frozen() && param.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether node k reads the value in {@code slot} at an input before {@code i}. */
    private static boolean readEarlier(MemoryPass.Prepared prepared, int k, int i, MemoryPass.Slot slot) {
        for (int j = 0; j < i; j++) {
            if (prepared.input(k, j) == slot) {
                return true;
            }
        }
        return false;
    }
}
