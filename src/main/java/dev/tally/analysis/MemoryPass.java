package dev.tally.analysis;

import dev.tally.analysis.saved.DropoutSavedRule;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Simulates inference memory in the graph's order (docs/conventions.md, "Memory"): each output is allocated when
 * its node runs and freed after its last reader; model inputs live until their last reader and model outputs to
 * the end; views and in-place ops ({@link Aliasing}) allocate nothing and keep their input's tensor alive. Weights
 * are not activations and are left out.
 */
public final class MemoryPass {
    private MemoryPass() {
    }

    /**
     * @param largestBytes the largest tensor a node allocates (the "network bottleneck")
     * @param peakBytes    the most bytes live at once, counted while a node runs (its inputs and outputs together)
     * @param peakNode     the index in {@link Analysis#nodes()} of the node at the peak; -1 when the peak is the inputs
     * @param liveAfter    bytes live after each node of {@link Analysis#nodes()} has run and its dead inputs are freed
     * @param allocated    bytes each node of {@link Analysis#nodes()} allocates: 0 for views, in-place ops, metadata
     *                     and nodes without a count; the per-node activation memory
     * @param storageOf    for every activation value (model inputs and node outputs, not weights or constants), the
     *                     index of the tensor storage it refers to: views and in-place results share their input's
     *                     (filled by the training run, {@code run(analysis, true)}, only; empty for inference)
     * @param storageBytes the bytes of each storage, by that index
     * @param strides      for every activation value not laid out row-major, where its elements sit in its storage
     *                     ({@link Strides}; filled by the training run only; a value missing is row-major, which keeps the
     *                     map small on a million-node graph)
     */
    public record Result(long largestBytes, long peakBytes, int peakNode, List<Long> liveAfter, List<Long> allocated,
                         Map<String, Integer> storageOf, List<Long> storageBytes, Map<String, long[]> strides) {
        public Result {
            // Wrapped, not copied: on a million-node graph a copy of each would double this record's memory.
            liveAfter = Collections.unmodifiableList(liveAfter);
            allocated = Collections.unmodifiableList(allocated);
            storageOf = Collections.unmodifiableMap(storageOf);
            storageBytes = Collections.unmodifiableList(storageBytes);
            strides = Collections.unmodifiableMap(strides);
        }
    }

    /** One tensor in memory and how many graph values still refer to it. */
    private static final class Storage {
        final long bytes;
        final int index;
        int values;

        Storage(long bytes, List<Long> all) {
            this.bytes = bytes;
            this.index = all.size();
            all.add(bytes);
        }
    }

    /** Inference (eval mode): the peak, the chart and {@code tally fit} follow it. */
    public static Result run(Analysis analysis) {
        return run(analysis, false);
    }

    /**
     * @param training whether the model runs in train mode, where Dropout computes a new tensor (its input times a
     *                 random mask) instead of passing its input on; the storages of the training memory
     *                 ({@link TrainingPass}) come from this
     */
    public static Result run(Analysis analysis, boolean training) {
        Model model = analysis.model();
        ModelFormat format = model.format();
        List<NodeResult> nodes = analysis.nodes();
        // Maps sized for one entry per node up front: rehashing a million-entry map is most of this pass's time.
        int size = ShapePass.capacity(nodes.size() + analysis.inputs().size());
        Map<String, Integer> lastReader = new HashMap<>(size);
        for (int i = 0; i < nodes.size(); i++) {
            for (String input : nodes.get(i).node().inputs()) {
                if (!input.isEmpty()) {
                    lastReader.put(input, i);
                }
            }
        }
        Map<String, Integer> freeAt = freeAt(analysis, lastReader);
        Map<String, TensorInfo> values = valuesOf(analysis);
        Set<String> kept = new HashSet<>();
        for (Value output : model.graph().outputs()) {
            kept.add(output.name());
        }
        Set<String> modelInputs = new HashSet<>();
        Map<String, Storage> storageOf = new HashMap<>(size);
        // Only the training pass reads which storage each value refers to; inference leaves the map empty.
        Map<String, Integer> storageIndex = training ? new HashMap<>(size) : new HashMap<>();
        Map<String, long[]> strides = training ? new HashMap<>(size) : new HashMap<>();
        List<Long> storageBytes = new ArrayList<>();
        Set<String> strided = new HashSet<>();
        long live = 0;
        for (ResolvedInput input : analysis.inputs()) {
            Storage storage = new Storage(Math.multiplyExact(input.shape().numel(), (long) input.dtype().byteSize()),
                    storageBytes);
            storage.values = 1;
            storageOf.put(input.name(), storage);
            if (training) {
                storageIndex.put(input.name(), storage.index);
            }
            modelInputs.add(input.name());
            live = Math.addExact(live, storage.bytes);
        }
        Map<Integer, List<String>> freedAfter = new HashMap<>(size);
        freeAt.forEach((value, at) -> freedAfter.computeIfAbsent(at, k -> new ArrayList<>()).add(value));
        long peak = live;
        int peakNode = -1;
        long largest = 0;
        List<Long> liveAfter = new ArrayList<>();
        List<Long> allocated = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            long made = 0;
            NodeResult result = nodes.get(i);
            Node node = result.node();
            List<String> outputNames = node.outputs().stream().filter(o -> !o.isEmpty()).toList();
            if (result.status() == NodeResult.Status.COUNTED && !result.outputs().isEmpty()
                    && !result.outputs().stream().allMatch(TensorInfo::hasData)) {
                String first = node.inputs().isEmpty() ? "" : node.inputs().get(0);
                Storage source = storageOf.get(first);
                boolean soleAndLast = source != null && source.values == 1 && freeAt.getOrDefault(first, -1) == i
                        && !kept.contains(first) && !modelInputs.contains(first) && countOf(node.inputs(), first) == 1;
                Aliasing.Kind kind = source == null || training && node.opType().equals("Dropout")
                        && !DropoutSavedRule.identity(inputsOf(node, values))
                        ? Aliasing.Kind.ALLOCATES
                        : Aliasing.classify(node, format, inputsOf(node, values), result.outputs().get(0),
                                !strided.contains(first), soleAndLast);
                List<TensorInfo> inputInfos = training ? inputsOf(node, values) : List.of();
                List<long[]> inputStrides = training ? node.inputs().stream().map(strides::get).toList() : List.of();
                for (int o = 0; o < outputNames.size() && o < result.outputs().size(); o++) {
                    TensorInfo info = result.outputs().get(o);
                    if (info.hasData()) {
                        continue;
                    }
                    String name = outputNames.get(o);
                    if (training) {
                        long[] layout = Strides.of(node, kind, inputInfos, inputStrides, info);
                        if (!Strides.isContiguous(info.shape(), layout)) {
                            strides.put(name, layout);
                        }
                    }
                    if (kind == Aliasing.Kind.ALLOCATES) {
                        Storage storage = new Storage(info.bytes(), storageBytes);
                        storage.values = 1;
                        storageOf.put(name, storage);
                        if (training) {
                            storageIndex.put(name, storage.index);
                        }
                        live = Math.addExact(live, storage.bytes);
                        made = Math.addExact(made, storage.bytes);
                        largest = Math.max(largest, storage.bytes);
                    } else {
                        source.values++;
                        storageOf.put(name, source);
                        if (training) {
                            storageIndex.put(name, source.index);
                        }
                        if (kind == Aliasing.Kind.STRIDED_VIEW) {
                            strided.add(name);
                        } else if (kind == Aliasing.Kind.IN_PLACE && strided.contains(first)) {
                            strided.add(name);
                        }
                    }
                }
                long during = Math.addExact(live, transientBytes(node, result.outputs().get(0)));
                if (during > peak) {
                    peak = during;
                    peakNode = i;
                }
            }
            for (String value : freedAfter.getOrDefault(i, List.of())) {
                if (!kept.contains(value)) {
                    live -= release(storageOf, value);
                }
            }
            liveAfter.add(live);
            allocated.add(made);
        }
        return new Result(largest, peak, peakNode, liveAfter, allocated, storageIndex, storageBytes, strides);
    }

    /**
     * After which node each value is freed: its last reader, extended to the end of every module call it was
     * passed into (the module's {@code forward} frame holds its argument until it returns, which is why a block's
     * input stays alive through the whole block in PyTorch); model inputs live to the end, as the caller holds
     * them. A value no node reads is freed right after the node that made it.
     */
    private static Map<String, Integer> freeAt(Analysis analysis, Map<String, Integer> lastReader) {
        List<NodeResult> nodes = analysis.nodes();
        int n = nodes.size();
        List<String[]> paths = new ArrayList<>();
        for (NodeResult result : nodes) {
            paths.add(result.node().layer().split("\\."));
        }
        // runEnd[i][k]: the last node of the contiguous run of nodes sharing node i's first k + 1 path components.
        int[][] runEnd = new int[n][];
        for (int i = n - 1; i >= 0; i--) {
            String[] path = paths.get(i);
            runEnd[i] = new int[path.length];
            for (int k = 0; k < path.length; k++) {
                boolean continues = i + 1 < n && runEnd[i + 1].length > k && samePrefix(path, paths.get(i + 1), k + 1);
                runEnd[i][k] = continues ? runEnd[i + 1][k] : i;
            }
        }
        int size = ShapePass.capacity(n + analysis.inputs().size());
        Map<String, Integer> producer = new HashMap<>(size);
        for (int i = 0; i < n; i++) {
            for (String output : nodes.get(i).node().outputs()) {
                producer.put(output, i);
            }
        }
        Map<String, Integer> freeAt = new HashMap<>(size);
        for (int i = 0; i < n; i++) {
            for (String output : nodes.get(i).node().outputs()) {
                if (!output.isEmpty()) {
                    freeAt.put(output, lastReader.getOrDefault(output, i));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            String[] path = paths.get(i);
            for (String input : nodes.get(i).node().inputs()) {
                Integer made = producer.get(input);
                if (made == null || !freeAt.containsKey(input)) {
                    continue;
                }
                String[] from = paths.get(made);
                for (int k = 0; k < path.length; k++) {
                    if (from.length <= k || !samePrefix(path, from, k + 1)) {
                        freeAt.merge(input, runEnd[i][k], Math::max);
                        break;
                    }
                }
            }
        }
        for (ResolvedInput input : analysis.inputs()) {
            freeAt.put(input.name(), n - 1);
        }
        return freeAt;
    }

    private static boolean samePrefix(String[] a, String[] b, int length) {
        if (a.length < length || b.length < length) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (!a[k].equals(b[k])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Memory a node holds only while it runs: PyTorch 1.13's 2-D and 3-D max-pool compute their int64 indices even
     * in inference ({@code max_pool2d} calls {@code max_pool2d_with_indices}) and drop them on return.
     */
    private static long transientBytes(Node node, TensorInfo output) {
        if (node.opType().equals("MaxPool") && output.rank() >= 4) {
            return Math.multiplyExact(output.numel(), 8L);
        }
        return 0;
    }

    /** Drops one value's reference to its tensor; returns the bytes freed when it was the last. */
    private static long release(Map<String, Storage> storageOf, String value) {
        Storage storage = storageOf.remove(value);
        if (storage == null) {
            return 0;
        }
        storage.values--;
        return storage.values == 0 ? storage.bytes : 0;
    }

    /** Every value the passes resolved: stored tensors, constants, inputs and node outputs. */
    static Map<String, TensorInfo> valuesOf(Analysis analysis) {
        Map<String, TensorInfo> values = new HashMap<>(ShapePass.capacity(analysis.nodes().size()
                + analysis.model().graph().params().size() + analysis.model().graph().constants().size() + analysis.inputs().size()));
        analysis.model().graph().params().forEach((name, param) -> values.put(name, TensorInfo.of(param.dtype(), param.shape())));
        analysis.model().graph().constants().forEach((name, constant) ->
                values.put(name, TensorInfo.constant(constant.dtype(), constant.shape(), constant.data())));
        for (ResolvedInput input : analysis.inputs()) {
            values.put(input.name(), TensorInfo.of(input.dtype(), input.shape()));
        }
        for (NodeResult result : analysis.nodes()) {
            List<String> names = result.node().outputs().stream().filter(o -> !o.isEmpty()).toList();
            for (int o = 0; o < names.size() && o < result.outputs().size(); o++) {
                values.put(names.get(o), result.outputs().get(o));
            }
        }
        return values;
    }

    private static int countOf(List<String> inputs, String name) {
        int count = 0;
        for (String input : inputs) {
            if (input.equals(name)) {
                count++;
            }
        }
        return count;
    }

    private static List<TensorInfo> inputsOf(Node node, Map<String, TensorInfo> values) {
        List<TensorInfo> inputs = new ArrayList<>();
        for (String input : node.inputs()) {
            inputs.add(input.isEmpty() ? null : values.get(input));
        }
        return inputs;
    }
}
