package dev.tally.analysis;

import dev.tally.analysis.fused.Dataflow;
import dev.tally.analysis.fused.ExportedOps;
import dev.tally.analysis.fused.Fusion;
import dev.tally.analysis.saved.DropoutSavedRule;
import dev.tally.ir.LongList;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Value;
import dev.tally.util.SecondThread;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Simulates inference memory in the graph's order (docs/conventions.md, "Memory"): each output is allocated when
 * its node runs and freed after its last reader; model inputs live until their last reader and model outputs to
 * the end; views and in-place ops ({@link Aliasing}) allocate nothing and keep their input's tensor alive; an op
 * an exporter took apart allocates what PyTorch's one op does ({@link ExportedOps}). Weights are not activations and
 * are left out.
 */
public final class MemoryPass {
    /**
     * A node attribute ({@link dev.tally.ir.Attribute.Strs}) naming the values a local of the model's code holds
     * until this node has run: the TorchScript interpreter sees the code's frames and sets it (a local lives until it
     * is rebound or its function returns, docs/conventions.md, "Memory").
     */
    public static final String HOLDS = "tally.holds";

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
     */
    public record Result(long largestBytes, long peakBytes, int peakNode, List<Long> liveAfter, List<Long> allocated,
                         Map<String, Integer> storageOf, List<Long> storageBytes) {
        public Result {
            // Wrapped, not copied: on a million-node graph a copy of each would double this record's memory.
            liveAfter = Collections.unmodifiableList(liveAfter);
            allocated = Collections.unmodifiableList(allocated);
            storageOf = Collections.unmodifiableMap(storageOf);
            storageBytes = Collections.unmodifiableList(storageBytes);
        }
    }

    /**
     * What one run (inference or training) knows of each slot, by {@link Slot#id}: the tensor storage it refers to and
     * how; and of each storage, its bytes and how many live values refer to it. Apart from the slots, so that the
     * inference and the training run can go at once from one preparation (on a large graph the summary runs them on
     * two threads), and as arrays: a storage object per value was a million objects per run on issue 14's chain.
     */
    static final class State {
        /** The storage each slot's value refers to while it is live; -1 before it is made and after it is freed. */
        final int[] live;
        /** The storage each slot's value referred to, kept after it is freed; -1 when it never had one. */
        final int[] storageIndex;
        final boolean[] strided;
        /**
         * Where each value's elements sit in its storage ({@link Strides}), training runs only (else null); an entry
         * is null when row-major, which most values are, so a million-node graph holds no array per value.
         */
        final long[][] layout;
        /** Whether autograd tracks the value (made from a trainable param), training runs only (else null). */
        final boolean[] requiresGrad;
        /** The bytes of each storage, by its index. */
        final Longs bytes;
        /** How many live values refer to each storage, by its index. */
        private int[] values;

        State(int slots, boolean training, int storages) {
            live = new int[slots];
            storageIndex = new int[slots];
            java.util.Arrays.fill(live, -1);
            java.util.Arrays.fill(storageIndex, -1);
            strided = new boolean[slots];
            layout = training ? new long[slots][] : null;
            requiresGrad = training ? new boolean[slots] : null;
            bytes = new Longs(storages);
            values = new int[bytes.values.length];
        }

        /** A new storage of {@code size} bytes, which {@code slot}'s value is the one to refer to; its index. */
        int allocate(Slot slot, long size) {
            int index = bytes.size;
            bytes.add(size);
            if (index == values.length) {
                values = java.util.Arrays.copyOf(values, bytes.values.length);
            }
            values[index] = 1;
            live[slot.id] = index;
            storageIndex[slot.id] = index;
            return index;
        }

        /** {@code slot}'s value refers to the live storage {@code index} too (a view or an in-place result). */
        void share(Slot slot, int index) {
            values[index]++;
            live[slot.id] = index;
            storageIndex[slot.id] = index;
        }

        /** The storage the slot's value referred to; -1 when it never had one, or for no slot. */
        int storageOf(Slot slot) {
            return slot == null ? -1 : storageIndex[slot.id];
        }

        /** How many live values refer to the storage of {@code slot}'s value, which is live. */
        int sharers(Slot slot) {
            return values[live[slot.id]];
        }

        /** Drops one value's reference to its tensor; returns the bytes freed when it was the last. A kept value stays. */
        long release(Slot slot) {
            int index = live[slot.id];
            if (index < 0 || slot.kept) {
                return 0;
            }
            live[slot.id] = -1;
            return --values[index] == 0 ? bytes.values[index] : 0;
        }
    }

    /** A growing array of longs. */
    private static final class Longs {
        long[] values;
        int size;

        Longs(int capacity) {
            values = new long[Math.max(4, capacity)];
        }

        void add(long value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, values.length * 2L));
            }
            values[size++] = value;
        }

        List<Long> toList() {
            return new LongList(values, size);
        }
    }

    /**
     * The slots by value name: by the graph's value id ({@link dev.tally.ir.Graph#ids()}, found once for the loader's
     * checks), so preparing reads each node's inputs and outputs as ids instead of hashing every name again (half a
     * second on issue 14's one-million-node chain); names the graph does not use (a subgraph's listed gaps) get ids
     * after the graph's, from an index of their own.
     */
    static final class Slots {
        private final dev.tally.ir.ValueIds ids;
        private final dev.tally.ir.NameIndex extra = new dev.tally.ir.NameIndex(16);
        private Slot[] byId;
        /** Every slot once, in the order first named. */
        final List<Slot> all;

        Slots(dev.tally.ir.ValueIds ids, int expected) {
            this.ids = ids;
            byId = new Slot[ids.size() + 16];
            all = new ArrayList<>(expected);
        }

        /** The id of {@code name}: the graph's, else one after them; -1 when the name is new and {@code add} is false. */
        private int idOf(String name, boolean add) {
            int id = ids.id(name);
            if (id >= 0) {
                return id;
            }
            int more = add ? extra.add(name) : extra.id(name);
            return more < 0 ? -1 : ids.size() + more;
        }

        /** The slot of {@code name}; null when the value was never named. */
        Slot get(Object name) {
            int id = name instanceof String text ? idOf(text, false) : -1;
            return id < 0 || id >= byId.length ? null : byId[id];
        }

        /** The slot of {@code name}, made when new. */
        Slot of(String name) {
            return ofId(idOf(name, true));
        }

        /** The slot of the value with id {@code id}, made when new. */
        Slot ofId(int id) {
            if (id >= byId.length) {
                byId = java.util.Arrays.copyOf(byId, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(byId.length * 2L, id + 1L)));
            }
            Slot slot = byId[id];
            if (slot == null) {
                slot = new Slot(all.size());
                byId[id] = slot;
                all.add(slot);
            }
            return slot;
        }

        void forEach(java.util.function.BiConsumer<String, Slot> action) {
            for (int id = 0; id < byId.length; id++) {
                if (byId[id] != null) {
                    action.accept(id < ids.size() ? ids.name(id) : extra.name(id - ids.size()), byId[id]);
                }
            }
        }
    }

    /** Graphs of this many nodes or more have their fused ops found on a second thread while they are prepared. */
    static volatile int twoThreads = SecondThread.GRAPH_NODES;

    /** Not freed by any node: the value is no node output nor model input. */
    private static final int NOT_FREED = Integer.MIN_VALUE;

    /**
     * All the pass knows of one value a node reads or writes, or a model input: one object in one map, rather than
     * a map per question (last reader, producer, free point, storage, values). On issue 14's one-million-node chain
     * the eight maps of the first version allocated about 600 MB per run.
     */
    static final class Slot {
        /** The slot's index in {@link Slots#all}, and in a run's {@link State}. */
        final int id;
        /** What the shape pass resolved for a node output or a model input; null otherwise. */
        TensorInfo info;
        int producer = -1;
        int lastReader = -1;
        /** How many node inputs read the value, plus one for a model output ({@link Dataflow#readers}). */
        int readers;
        int freeAt = NOT_FREED;
        boolean kept;
        boolean modelInput;
        /** How many node inputs name the value (a node reading it twice counts twice); {@link #readers} without outputs. */
        int reads;
        /**
         * A stored tensor's or constant's info, made at its first lookup ({@link #value}); null otherwise. Two runs at
         * once may both make it: equal immutable values, either kept.
         */
        TensorInfo stored;

        Slot(int id) {
            this.id = id;
        }
    }

    /**
     * What the inference and the training run share, found once: each value's producer, last reader, shape and the
     * node after which it is freed. Each run keeps the rest in a {@link State} of its own, so runs from one preparation
     * may go at once, on two threads.
     */
    public static final class Prepared {
        private final Analysis analysis;
        private final Slots slots;
        /**
         * Each node's input and output slots, by position, flattened: node i's inputs are {@code inputs[inputStart[i]]}
         * up to {@code inputs[inputStart[i + 1]]}, null for an omitted (empty) name. The runs read these instead of
         * looking every name up again: on issue 14's one-million-node chain the lookups were a quarter of a summary's
         * time.
         */
        final int[] inputStart;
        final Slot[] inputs;
        final int[] outputStart;
        final Slot[] outputs;
        /** Every slot once, in the order first named. */
        final List<Slot> all;
        /** The ops the exporter took apart, when found beside the free points (a large graph); else null. */
        private Map<Integer, Fusion.Part> fused;

        private Prepared(Analysis analysis, Slots slots, int[] inputStart, Slot[] inputs, int[] outputStart,
                         Slot[] outputs, List<Slot> all) {
            this.analysis = analysis;
            this.slots = slots;
            this.inputStart = inputStart;
            this.inputs = inputs;
            this.outputStart = outputStart;
            this.outputs = outputs;
            this.all = all;
        }

        /** The fused ops found beside the free points; null when they were not (a small graph: found by the run). */
        Map<Integer, Fusion.Part> fusedParts() {
            return fused;
        }

        /** The slot of node {@code i}'s input {@code k}; null when the input is omitted. */
        Slot input(int i, int k) {
            return inputs[inputStart[i] + k];
        }

        int inputCount(int i) {
            return inputStart[i + 1] - inputStart[i];
        }

        /** The slot of node {@code i}'s output {@code k} (counting omitted ones); null when omitted. */
        Slot output(int i, int k) {
            return outputs[outputStart[i] + k];
        }

        int outputCount(int i) {
            return outputStart[i + 1] - outputStart[i];
        }

        /**
         * The nodes' dataflow as {@link Dataflow#of(List)} finds it (no weights, no ranks, readers without the model
         * outputs), read from the slots rather than from two new maps of every value. An omitted (empty) name is one
         * value there, as it is a key of a map by name: its producer is the last node with an omitted output, its
         * readers the omitted inputs.
         */
        Dataflow nodesDataflow() {
            int emptyProducer = -1;
            int emptyReads = 0;
            for (int i = 0; i + 1 < outputStart.length; i++) {
                for (int k = outputStart[i]; k < outputStart[i + 1]; k++) {
                    if (outputs[k] == null) {
                        emptyProducer = i;
                    }
                }
            }
            for (Slot slot : inputs) {
                if (slot == null) {
                    emptyReads++;
                }
            }
            int producerOfEmpty = emptyProducer;
            int readsOfEmpty = emptyReads;
            List<Node> nodes = nodesOf(analysis);
            return new Dataflow() {
                @Override
                public List<Node> nodes() {
                    return nodes;
                }

                @Override
                public int producer(String value) {
                    if (value.isEmpty()) {
                        return producerOfEmpty;
                    }
                    Slot slot = slots.get(value);
                    return slot == null ? -1 : slot.producer;
                }

                @Override
                public int readers(String value) {
                    if (value.isEmpty()) {
                        return readsOfEmpty;
                    }
                    Slot slot = slots.get(value);
                    return slot == null ? 0 : slot.reads;
                }

                @Override
                public boolean isWeight(String value) {
                    return false;
                }

                @Override
                public int rank(String value) {
                    return -1;
                }
            };
        }

        /** What the slot's value resolved to, as {@link #value(String, Map, Analysis)} has it; null when unknown. */
        TensorInfo value(Slot slot, String name) {
            return MemoryPass.value(slot, name, analysis);
        }

        public Analysis analysis() {
            return analysis;
        }
    }

    /** The result and, for the training pass, each value's slot and what the run gave it. */
    record Run(Result result, Slots slots, Analysis analysis, Prepared prepared, State state) {
        /** What {@code name} resolved to, as {@link #valuesOf} has it; null when unknown. */
        TensorInfo value(String name) {
            return MemoryPass.value(name, slots, analysis);
        }

        /** Where an activation value's elements sit in its storage ({@link Strides}); row-major unless a view or a
         * layout-following op of a training run made it otherwise; null for a value the run gave no tensor. */
        long[] strides(String name) {
            return strides(slots.get(name));
        }

        /** {@link #strides(String)} of a slot, null for none. */
        long[] strides(Slot slot) {
            if (state.storageOf(slot) < 0 || slot.info == null) {
                return null;
            }
            long[] layout = state.layout == null ? null : state.layout[slot.id];
            return layout != null ? layout : Strides.contiguous(slot.info.shape());
        }

        /** The storage index of an activation value (a model input or a node output the run gave a tensor); null otherwise. */
        Integer storage(String name) {
            int storage = state.storageOf(slots.get(name));
            return storage < 0 ? null : storage;
        }

        /** The storage index of the slot's value; -1 when the run gave it no tensor (a weight, a constant) or no slot. */
        int storageIndex(Slot slot) {
            return state.storageOf(slot);
        }

        /** Whether autograd tracks the slot's value (training runs). */
        boolean requiresGrad(Slot slot) {
            return state.requiresGrad[slot.id];
        }

        /** Autograd tracks the slot's value: a node made it from a trainable param (training runs). */
        void requireGrad(Slot slot) {
            state.requiresGrad[slot.id] = true;
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
        return simulate(prepare(analysis), training).result();
    }

    /** A run from a preparation another run may share (the summary makes both from one). */
    public static Result run(Prepared prepared, boolean training) {
        return simulate(prepared, training).result();
    }

    /** Finds what both runs need of every value. */
    public static Prepared prepare(Analysis analysis) {
        Model model = analysis.model();
        List<NodeResult> nodes = analysis.nodes();
        int n = nodes.size();
        dev.tally.ir.ValueIds ids = model.graph().ids();
        Slots slots = new Slots(ids, n + analysis.inputs().size());
        List<Slot> all = slots.all;
        // Each result's node by its position in the graph, whose ids it reads; -1 for a subgraph's listed gap (read by name).
        int[] inGraph = new int[n];
        List<Node> graphNodes = model.graph().nodes();
        int[] inputStart = new int[n + 1];
        int[] outputStart = new int[n + 1];
        for (int i = 0, j = 0; i < n; i++) {
            Node node = nodes.get(i).node();
            inGraph[i] = j < graphNodes.size() && graphNodes.get(j) == node ? j++ : -1;
            inputStart[i + 1] = Math.addExact(inputStart[i], node.inputs().size());
            outputStart[i + 1] = Math.addExact(outputStart[i], node.outputs().size());
        }
        Slot[] inputs = new Slot[inputStart[n]];
        Slot[] outputs = new Slot[outputStart[n]];
        for (int i = 0; i < n; i++) {
            List<String> names = nodes.get(i).node().inputs();
            for (int k = 0; k < names.size(); k++) {
                if (!names.get(k).isEmpty()) {
                    Slot slot = inGraph[i] >= 0 ? slots.ofId(ids.input(inGraph[i], k)) : slots.of(names.get(k));
                    slot.lastReader = i;
                    slot.reads++;
                    slot.readers++;
                    inputs[inputStart[i] + k] = slot;
                }
            }
        }
        for (ResolvedInput input : analysis.inputs()) {
            Slot slot = slots.of(input.name());
            slot.info = TensorInfo.of(input.dtype(), input.shape());
            slot.modelInput = true;
        }
        for (int i = 0; i < n; i++) {
            NodeResult result = nodes.get(i);
            List<String> names = result.node().outputs();
            int o = 0;
            for (int k = 0; k < names.size(); k++) {
                if (names.get(k).isEmpty()) {
                    continue;
                }
                Slot slot = inGraph[i] >= 0 ? slots.ofId(ids.output(inGraph[i], k)) : slots.of(names.get(k));
                outputs[outputStart[i] + k] = slot;
                slot.producer = i;
                if (o < result.outputs().size()) {
                    slot.info = result.outputs().get(o);
                }
                o++;
            }
        }
        for (Value output : model.graph().outputs()) {
            Slot slot = slots.of(output.name());
            slot.kept = true;
            slot.readers++;
        }
        Prepared prepared = new Prepared(analysis, slots, inputStart, inputs, outputStart, outputs, all);
        if (n < twoThreads || model.format() == ModelFormat.TORCHSCRIPT) {
            freeAt(prepared);
            return prepared;
        }
        // On a large graph the ops the exporter took apart are found on a second thread while the free points are:
        // both read only what is set above, and the finders never read a free point.
        SecondThread helper = SecondThread.start("tally-fused", () -> prepared.fused = fusedParts(prepared));
        try {
            freeAt(prepared);
        } catch (RuntimeException e) {
            helper.join(e);
        }
        helper.join(null);
        return prepared;
    }

    /** The ops the exporter took apart, by node index ({@link ExportedOps}). */
    private static Map<Integer, Fusion.Part> fusedParts(Prepared prepared) {
        return ExportedOps.parts(new SlotDataflow(prepared.analysis, prepared.slots, nodesOf(prepared.analysis)));
    }

    static Run simulate(Prepared prepared, boolean training) {
        Analysis analysis = prepared.analysis;
        Slots slots = prepared.slots;
        ModelFormat format = analysis.model().format();
        List<NodeResult> nodes = analysis.nodes();
        int n = nodes.size();
        State state = new State(prepared.all.size(), training, training ? n + analysis.inputs().size() : 16);
        long live = 0;
        for (ResolvedInput input : analysis.inputs()) {
            long bytes = Math.multiplyExact(input.shape().numel(), (long) input.dtype().byteSize());
            state.allocate(slots.get(input.name()), bytes);
            live = Math.addExact(live, bytes);
        }
        // After which node each value is freed: a slot, or a list of them when a node frees several.
        Object[] freedAfter = new Object[n];
        for (Slot slot : prepared.all) {
            if (slot.freeAt >= 0 && slot.freeAt < n) {
                Object there = freedAfter[slot.freeAt];
                if (there == null) {
                    freedAfter[slot.freeAt] = slot;
                } else if (there instanceof Slot single) {
                    List<Slot> several = new ArrayList<>(2);
                    several.add(single);
                    several.add(slot);
                    freedAfter[slot.freeAt] = several;
                } else {
                    @SuppressWarnings("unchecked")
                    List<Slot> several = (List<Slot>) there;
                    several.add(slot);
                }
            }
        }
        long peak = live;
        int peakNode = -1;
        long largest = 0;
        long[] liveAfter = new long[n];
        long[] allocated = new long[n];
        // Ops the exporter took apart, as PyTorch ran them; inference only: train mode keeps the saved-tensor figures
        // of the parts (TrainingPass), and TorchScript records the ops themselves. A checkpoint is counted on its catalog
        // graph, ONNX for most (its parts are found there as in the ONNX file: swin_v2_t.pth's GELUs as swin_v2_t.onnx's);
        // the parts are ONNX op sequences, which a TorchScript catalog graph (RAFT, MViT v2) does not have.
        Map<Integer, Fusion.Part> fused = training || format == ModelFormat.TORCHSCRIPT ? Map.of()
                : prepared.fused != null ? prepared.fused : fusedParts(prepared);
        java.util.Set<Fusion> unfused = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            long made = 0;
            NodeResult result = nodes.get(i);
            Node node = result.node();
            if (result.status() == NodeResult.Status.COUNTED && !result.outputs().isEmpty() && !allHaveData(result.outputs())) {
                Fusion.Part part = fused.isEmpty() ? null : fused.get(i);
                if (part != null && (unfused.contains(part.fusion()) || part.position() == 0
                        && !fusedCallHolds(part.fusion(), prepared, state, i))) {
                    unfused.add(part.fusion());
                    part = null;
                }
                // An in-place node shares the storage of the input it writes into (masked_fill_'s self, Where's input 2).
                int target = part == null ? Aliasing.writtenInput(node) : writtenInput(part, prepared, i);
                int inputCount = prepared.inputCount(i);
                Slot from = inputCount == 0 || target < 0 ? null : prepared.input(i, java.util.Objects.checkIndex(target, inputCount));
                // The storage the node may write into: its input's, while live; -1 for none.
                int source = from == null ? -1 : state.live[from.id];
                boolean soleAndLast = source >= 0 && state.sharers(from) == 1 && from.freeAt == i
                        && !from.kept && !from.modelInput && countOf(prepared, i, from) == 1;
                // The inputs as resolved, made once per node and only when a rule below reads them.
                List<TensorInfo> inputInfos = source < 0 && !training ? List.of() : inputsOf(prepared, i, node);
                Aliasing.Kind kind = source < 0 || training && node.opType().equals("Dropout")
                        && !DropoutSavedRule.identity(inputInfos)
                        ? Aliasing.Kind.ALLOCATES
                        : part != null ? fusedKind(part, from, state, result.outputs().get(0))
                        : Aliasing.classify(node, format, inputInfos, result.outputs().get(0), !state.strided[from.id], soleAndLast);
                List<long[]> inputLayouts = training ? layoutsOf(prepared, state, i) : List.of();
                int o = 0;
                int outputCount = prepared.outputCount(i);
                for (int k = 0; k < outputCount; k++) {
                    Slot slot = prepared.output(i, k);
                    if (slot == null) {
                        continue;
                    }
                    if (o >= result.outputs().size()) {
                        break;
                    }
                    TensorInfo info = result.outputs().get(o++);
                    if (info.hasData()) {
                        continue;
                    }
                    if (training) {
                        long[] layout = Strides.of(node, kind, inputInfos, inputLayouts, info);
                        state.layout[slot.id] = Strides.isContiguous(info.shape(), layout) ? null : layout;
                    }
                    if (kind == Aliasing.Kind.ALLOCATES) {
                        long bytes = info.bytes();
                        state.allocate(slot, bytes);
                        live = Math.addExact(live, bytes);
                        made = Math.addExact(made, bytes);
                        largest = Math.max(largest, bytes);
                    } else {
                        state.share(slot, source);
                        if (kind == Aliasing.Kind.STRIDED_VIEW) {
                            state.strided[slot.id] = true;
                        } else if (kind == Aliasing.Kind.IN_PLACE && state.strided[from.id]) {
                            state.strided[slot.id] = true;
                        }
                    }
                }
                long during = Math.addExact(live, transientBytes(node, result.outputs().get(0)));
                if (during > peak) {
                    peak = during;
                    peakNode = i;
                }
            }
            Object freed = freedAfter[i];
            if (freed instanceof Slot slot) {
                live -= state.release(slot);
            } else if (freed != null) {
                @SuppressWarnings("unchecked")
                List<Slot> several = (List<Slot>) freed;
                for (Slot slot : several) {
                    live -= state.release(slot);
                }
            }
            liveAfter[i] = live;
            allocated[i] = made;
        }
        Map<String, Integer> storageOf = training ? new StorageIndex(slots, state) : Map.of();
        Result result = new Result(largest, peak, peakNode, new LongList(liveAfter, n), new LongList(allocated, n),
                storageOf, state.bytes.toList());
        return new Run(result, slots, analysis, prepared, state);
    }

    /**
     * Whether a fused op's first node runs as PyTorch's one call: its input {@link Fusion#contiguousInput()} is
     * contiguous. Otherwise the whole op is left to the plain rules.
     */
    private static boolean fusedCallHolds(Fusion fusion, Prepared prepared, State state, int i) {
        if (fusion.contiguousInput() < 0) {
            return true;
        }
        Slot slot = fusion.contiguousInput() < prepared.inputCount(i) ? prepared.input(i, fusion.contiguousInput()) : null;
        return slot != null && state.live[slot.id] >= 0 && !state.strided[slot.id];
    }

    /**
     * The input a node of a fused op writes into: for the first, the op's in-place input ({@link
     * Fusion#inPlaceInput()}), else none (-1); for a later node, the one the node before it in the op made.
     */
    private static int writtenInput(Fusion.Part part, Prepared prepared, int i) {
        if (part.position() == 0) {
            return part.fusion().inPlaceInput();
        }
        for (int k = 0; k < prepared.inputCount(i); k++) {
            Slot slot = prepared.input(i, k);
            if (slot != null && slot.producer == part.previous()) {
                return k;
            }
        }
        return -1;
    }

    /**
     * What a node of a fused op does with memory, {@code from} the input it writes into ({@link #writtenInput}): a
     * later node writes into the op's result, the first allocates it, or, for an in-place op, writes into its input
     * when no node after the op reads that tensor and no other value shares it.
     */
    private static Aliasing.Kind fusedKind(Fusion.Part part, Slot from, State state, TensorInfo output) {
        boolean fits = from.info != null && from.info.bytes() == output.bytes();
        if (part.position() > 0) {
            return fits ? Aliasing.Kind.IN_PLACE : Aliasing.Kind.ALLOCATES;
        }
        boolean dying = state.sharers(from) == 1 && from.freeAt != NOT_FREED && from.freeAt <= part.fusion().last()
                && !from.kept && !from.modelInput;
        return fits && dying && from.info.dtype() == output.dtype() ? Aliasing.Kind.IN_PLACE : Aliasing.Kind.ALLOCATES;
    }

    /** The analysis' nodes as a list of IR nodes, a view. */
    private static List<Node> nodesOf(Analysis analysis) {
        return new java.util.AbstractList<>() {
            @Override
            public Node get(int index) {
                return analysis.nodes().get(index).node();
            }

            @Override
            public int size() {
                return analysis.nodes().size();
            }
        };
    }

    /** The run's slots as the fused-op patterns read a graph. */
    private record SlotDataflow(Analysis analysis, Slots slots, List<Node> nodes) implements Dataflow {
        @Override
        public int producer(String value) {
            Slot slot = slots.get(value);
            return slot == null ? -1 : slot.producer;
        }

        @Override
        public int readers(String value) {
            Slot slot = slots.get(value);
            return slot == null ? 0 : slot.readers;
        }

        @Override
        public boolean isWeight(String value) {
            return analysis.model().graph().params().containsKey(value);
        }

        @Override
        public int rank(String value) {
            TensorInfo info = MemoryPass.value(value, slots, analysis);
            return info == null ? -1 : info.rank();
        }
    }

    private static boolean allHaveData(List<TensorInfo> outputs) {
        for (int i = 0; i < outputs.size(); i++) {
            if (!outputs.get(i).hasData()) {
                return false;
            }
        }
        return true;
    }

    /** The layouts of a node's inputs as the run has them: null where row-major, absent or not an activation. */
    private static List<long[]> layoutsOf(Prepared prepared, State state, int i) {
        int count = prepared.inputCount(i);
        List<long[]> layouts = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            Slot slot = prepared.input(i, k);
            layouts.add(slot == null ? null : state.layout[slot.id]);
        }
        return layouts;
    }

    /** Which storage each activation value refers to, read from the slots: a view, not a million-entry copy. */
    private static final class StorageIndex extends java.util.AbstractMap<String, Integer> {
        private final Slots slots;
        private final State state;

        StorageIndex(Slots slots, State state) {
            this.slots = slots;
            this.state = state;
        }

        @Override
        public Integer get(Object key) {
            int storage = state.storageOf(slots.get(key));
            return storage < 0 ? null : storage;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public java.util.Set<Map.Entry<String, Integer>> entrySet() {
            Map<String, Integer> entries = new HashMap<>();
            slots.forEach((name, slot) -> {
                if (state.storageOf(slot) >= 0) {
                    entries.put(name, state.storageOf(slot));
                }
            });
            return Collections.unmodifiableMap(entries).entrySet();
        }
    }

    /**
     * After which node each value is freed, into its slot: its last reader, extended to the end of every module call
     * it was passed into (the module's {@code forward} frame holds its argument until it returns, which is why a
     * block's input stays alive through the whole block in PyTorch); model inputs live to the end, as the caller holds
     * them. A value no node reads is freed right after the node that made it.
     */
    private static void freeAt(Prepared prepared) {
        Analysis analysis = prepared.analysis;
        List<NodeResult> nodes = analysis.nodes();
        int n = nodes.size();
        Paths paths = new Paths(nodes);
        // runEnd[first[i] + k]: the last node of the contiguous run of nodes sharing node i's first k + 1 path
        // components. Flat arrays: an int[] per node and a String[] per path were 56 MB on a million nodes.
        // A node that makes no tensor (a Constant, shape arithmetic) runs in no module's frame and breaks no run:
        // torch.onnx names the constants its symbolic functions add outside any scope ("Constant_83" amid
        // vit_b_16's encoder_layer_0.self_attention), which would otherwise end the encoder's run there.
        int[] runEnd = new int[paths.total()];
        int next = -1; // the first node after i that makes a tensor
        for (int i = n - 1; i >= 0; i--) {
            for (int k = 0; k < paths.length(i); k++) {
                boolean continues = next >= 0 && paths.length(next) > k && paths.samePrefix(i, next, k + 1);
                runEnd[paths.first(i) + k] = continues ? runEnd[paths.first(next) + k] : i;
            }
            if (makesTensor(nodes.get(i))) {
                next = i;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < prepared.outputCount(i); k++) {
                Slot slot = prepared.output(i, k);
                if (slot != null) {
                    slot.freeAt = slot.lastReader >= 0 ? slot.lastReader : i;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < prepared.inputCount(i); j++) {
                Slot slot = prepared.input(i, j);
                if (slot == null || slot.producer < 0 || slot.freeAt == NOT_FREED) {
                    continue;
                }
                for (int k = 0; k < paths.length(i); k++) {
                    if (paths.length(slot.producer) <= k || !paths.samePrefix(i, slot.producer, k + 1)) {
                        slot.freeAt = Math.max(slot.freeAt, runEnd[paths.first(i) + k]);
                        break;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (nodes.get(i).node().attribute(HOLDS).orElse(null) instanceof dev.tally.ir.Attribute.Strs held) {
                for (String value : held.values()) {
                    Slot slot = prepared.slots.get(value);
                    if (slot != null && slot.producer >= 0 && slot.freeAt != NOT_FREED) {
                        slot.freeAt = Math.max(slot.freeAt, i);
                    }
                }
            }
        }
        for (ResolvedInput input : analysis.inputs()) {
            prepared.slots.get(input.name()).freeAt = n - 1;
        }
    }

    /** Whether a node makes a tensor at run time: an output the shape pass does not know the values of. */
    private static boolean makesTensor(NodeResult result) {
        List<TensorInfo> outputs = result.outputs();
        for (int i = 0; i < outputs.size(); i++) {
            if (!outputs.get(i).hasData()) {
                return true;
            }
        }
        return outputs.isEmpty();
    }

    /**
     * Each node's module path as components ({@code layer1.0.conv1}: layer1, 0, conv1), split as
     * {@code layer.split("\\.")} splits it (trailing empty components dropped), kept as the end offset of each
     * component in the layer string rather than as strings.
     */
    private static final class Paths {
        private final List<NodeResult> nodes;
        private final int[] first;
        private int[] ends;
        private int total;

        Paths(List<NodeResult> nodes) {
            this.nodes = nodes;
            first = new int[nodes.size() + 1];
            ends = new int[Math.max(4, nodes.size())];
            for (int i = 0; i < nodes.size(); i++) {
                first[i] = total;
                String layer = nodes.get(i).node().layer();
                if (layer.indexOf('.') < 0) {
                    add(layer.length()); // no separator: the whole name, even an empty one, as split gives it
                    continue;
                }
                int kept = total;
                int start = 0;
                while (true) {
                    int dot = layer.indexOf('.', start);
                    int end = dot < 0 ? layer.length() : dot;
                    add(end);
                    if (end > start) {
                        kept = total;
                    }
                    if (dot < 0) {
                        break;
                    }
                    start = dot + 1;
                }
                total = kept;
            }
            first[nodes.size()] = total;
        }

        private void add(int end) {
            if (total == ends.length) {
                ends = java.util.Arrays.copyOf(ends, (int) Math.min(Integer.MAX_VALUE - 8, ends.length * 2L));
            }
            ends[total++] = end;
        }

        int total() {
            return total;
        }

        int first(int node) {
            return first[node];
        }

        int length(int node) {
            return first[node + 1] - first[node];
        }

        /** Whether nodes a and b share their first {@code length} components. */
        boolean samePrefix(int a, int b, int length) {
            if (length(a) < length || length(b) < length) {
                return false;
            }
            int end = ends[first[a] + length - 1];
            return end == ends[first[b] + length - 1]
                    && nodes.get(a).node().layer().regionMatches(0, nodes.get(b).node().layer(), 0, end);
        }
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

    /** What {@code name} resolved to: a node output or model input, else a constant, else a stored tensor. */
    static TensorInfo value(String name, Slots slots, Analysis analysis) {
        Slot slot = slots.get(name);
        if (slot != null && slot.info != null) {
            return slot.info;
        }
        return stored(name, analysis);
    }

    /** {@link #value(String, Map, Analysis)} of the value in {@code slot}, a stored tensor's info made once per slot. */
    static TensorInfo value(Slot slot, String name, Analysis analysis) {
        if (slot == null) {
            return stored(name, analysis);
        }
        if (slot.info != null) {
            return slot.info;
        }
        if (slot.stored == null) {
            slot.stored = stored(name, analysis);
        }
        return slot.stored;
    }

    /** A constant's or stored tensor's info; null when {@code name} is neither. */
    private static TensorInfo stored(String name, Analysis analysis) {
        dev.tally.ir.ConstTensor constant = analysis.model().graph().constants().get(name);
        if (constant != null) {
            return TensorInfo.constant(constant.dtype(), constant.shape(), constant.data());
        }
        dev.tally.ir.Param param = analysis.model().graph().params().get(name);
        return param == null ? null : TensorInfo.of(param.dtype(), param.shape());
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

    /** How many of node i's inputs name the value in {@code slot}. */
    private static int countOf(Prepared prepared, int i, Slot slot) {
        int count = 0;
        for (int k = 0; k < prepared.inputCount(i); k++) {
            if (prepared.input(i, k) == slot) {
                count++;
            }
        }
        return count;
    }

    private static List<TensorInfo> inputsOf(Prepared prepared, int i, Node node) {
        int count = prepared.inputCount(i);
        List<TensorInfo> inputs = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            Slot slot = prepared.input(i, k);
            inputs.add(slot == null ? null : value(slot, node.inputs().get(k), prepared.analysis));
        }
        return inputs;
    }
}
