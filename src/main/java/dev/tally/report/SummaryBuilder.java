package dev.tally.report;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Convention;
import dev.tally.analysis.MemoryPass;
import dev.tally.analysis.Mode;
import dev.tally.analysis.Optimizer;
import dev.tally.analysis.TrainingMemory;
import dev.tally.analysis.TrainingPass;
import dev.tally.analysis.ReceptiveField;
import dev.tally.analysis.ReceptiveFieldPass;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.ResolvedInput;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.util.SecondThread;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Aggregates an {@link Analysis} into a {@link Summary}: one row per call of a PyTorch module path (a node's
 * {@code layer}), in execution order, optionally folded to the first {@code depth}
 * components of the path ({@code layer1.0.conv1} at depth 2 is {@code layer1.0}).
 */
public final class SummaryBuilder {
    /** The origin of an output whose size depends on the data: the shape shown is the most it can be. */
    public static final String DATA_DEPENDENT_OUTPUT = "data-dependent: at most this";

    private SummaryBuilder() {
    }

    /** Builds the summary with one row per module path. */
    public static Summary build(Analysis analysis) {
        return build(analysis, 0);
    }

    /**
     * @param depth how many components of the module path name a row; 0 keeps every path as it is
     */
    public static Summary build(Analysis analysis, int depth) {
        return build(analysis, depth, Optimizer.ADAM);
    }

    /**
     * @param depth     how many components of the module path name a row; 0 keeps every path as it is
     * @param optimizer whose state the training memory counts
     */
    public static Summary build(Analysis analysis, int depth, Optimizer optimizer) {
        return build(analysis, depth, Mode.TRAINING, optimizer);
    }

    /**
     * @param mode      {@link Mode#TRAINING}: the totals carry the training step's memory with {@code optimizer};
     *                  {@link Mode#INFERENCE}: the training pass is not run and the totals have no training figure
     */
    public static Summary build(Analysis analysis, int depth, Mode mode, Optimizer optimizer) {
        return build(analysis, depth, mode, optimizer, TWO_THREADS);
    }

    /**
     * Graphs of this many nodes or more have their training run on a second thread, beside the inference run and the
     * rows (on issue 14's one-million-node chain, about half a second of the two); smaller ones run it after them.
     */
    static final int TWO_THREADS = TextTable.TWO_THREADS;

    /** @param twoThreads from how many nodes on the training run goes on a second thread (tests lower it) */
    static Summary build(Analysis analysis, int depth, Mode mode, Optimizer optimizer, int twoThreads) {
        if (depth < 0) {
            throw new IllegalArgumentException("Depth cannot be negative: " + depth + ".");
        }
        try {
            return aggregate(analysis, depth, mode == Mode.TRAINING ? optimizer : null, twoThreads);
        } catch (ArithmeticException e) {
            throw new ModelException(analysis.model().path().getFileName()
                    + ": a total overflows a 64-bit integer, so no exact count can be given; check the model's tensor sizes.");
        }
    }

    /** @param optimizer whose state the training memory counts; null for no training figure */
    private static Summary aggregate(Analysis analysis, int depth, Optimizer optimizer, int twoThreads) {
        List<NodeResult> nodes = analysis.nodes();
        LayerTable.Builder table = new LayerTable.Builder(nodes.size() + 1);
        Rows rows = new Rows(nodes.size());
        // Each key's latest row and how many calls it has had, by the key's id: arrays, not a map of a million keys.
        Calls current = new Calls(nodes.size(), nodes.size() == analysis.model().graph().nodes().size());
        Map<String, List<String>> unsupported = new LinkedHashMap<>();
        int unresolved = 0;
        int dependentNodes = 0;
        long dependentMacs = 0;
        long dependentOps = 0;
        List<DataDependence.Source> sources = new ArrayList<>();
        // The nodes' figures summed field by field, not a Totals per node (a million of them on issue 14's chain).
        long[] sums = new long[8];
        // One preparation for the inference and the training run: on a million nodes each was 150 MB of maps. Each
        // run keeps its own state, so on a large graph the training run goes on a second thread while this one runs
        // inference and adds up the rows (TWO_THREADS).
        MemoryPass.Prepared prepared = MemoryPass.prepare(analysis);
        TrainingMemory[] trained = new TrainingMemory[1];
        SecondThread trainingRun = optimizer == null || nodes.size() < twoThreads ? null
                : SecondThread.start("tally-training", () -> trained[0] = TrainingPass.run(prepared, optimizer));
        MemoryPass.Result memory = MemoryPass.run(prepared, false);
        List<Optional<ReceptiveField>> fields = ReceptiveFieldPass.run(analysis);
        String previous = null;
        int peakRow = -1;
        for (int i = 0; i < nodes.size(); i++) {
            NodeResult result = nodes.get(i);
            Totals figures = figuresOf(result, memory.allocated().get(i));
            add(sums, figures);
            String layer = result.node().layer();
            String key = fold(layer, depth);
            int known = current.size();
            int call = current.add(key, result.node());
            // A module's nodes after a node of another module that is not inside it are its next call
            // (layer1.0.relu runs after bn1, bn2 and the add); its own nodes around its children's are one call.
            if (current.size() > known || previous != null && !key.equals(fold(previous, depth))
                    && !previous.startsWith(key + ".")) {
                current.calls[call]++;
                current.row[call] = table.add(key);
                rows.add(current.row[call], current.calls[call], call);
            }
            int row = current.row[call];
            table.add(row, figures);
            table.node(row, result.status() != NodeResult.Status.COUNTED, result.dataDependent());
            rows.node(row, result, !layer.equals(key), fields.get(i).orElse(null), memory.liveAfter().get(i));
            if (i == memory.peakNode()) {
                peakRow = row;
            }
            previous = layer;
            if (result.dataDependent()) {
                dependentNodes++;
                dependentMacs = Math.addExact(dependentMacs, figures.macs());
                dependentOps = Math.addExact(dependentOps, figures.ops());
                if (!result.note().isEmpty()) {
                    sources.add(new DataDependence.Source(result.node().name(), result.node().opType(), result.note()));
                }
            }
            if (result.status() == NodeResult.Status.UNSUPPORTED) {
                unsupported.computeIfAbsent(result.node().opType(), k -> new ArrayList<>()).add(result.node().name());
            } else if (result.status() == NodeResult.Status.UNRESOLVED) {
                unresolved++;
            }
        }
        Totals totals = new Totals(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]);
        Map<String, String> classes = analysis.model().moduleClasses();
        Map<String, ReceptiveField> receptiveFields = new LinkedHashMap<>();
        int layerRows = table.size();
        long[] liveAfter = new long[layerRows + 1];
        for (int row = 0; row < layerRows; row++) {
            // Named relu (call 2 of 3) when its module ran more than once; typed by the module's class when the file
            // records it, else by its one module's main op, else (modules folded by --depth in a file without
            // classes) "-": the path says it all.
            String key = table.name(row);
            String className = classes.get(key);
            int callsOfModule = current.calls[rows.key[row]];
            String shown = callsOfModule > 1 ? key + " (call " + rows.call[row] + " of " + callsOfModule + ")" : key;
            table.name(row, shown);
            table.type(row, className != null ? className : rows.folded.get(row) ? "-" : rows.op[row]);
            table.shape(row, rows.shape[row]);
            if (rows.fields != null && rows.fields[row] != null) {
                receptiveFields.put(shown, rows.fields[row]);
            }
            liveAfter[row] = rows.liveAfter[row];
        }
        current = null;
        rows = null;
        // Parameters no forward reads keep a row (a trained weight left unused is worth seeing); buffers no forward
        // reads (BatchNorm's num_batches_tracked, a counter of training steps) are a note.
        List<Param> unusedParams = analysis.unusedParams().stream().filter(p -> p.role() != Role.BUFFER).toList();
        List<Param> unreadBuffers = analysis.unusedParams().stream().filter(p -> p.role() == Role.BUFFER).toList();
        if (!unusedParams.isEmpty() && paramFigures(unusedParams).params() > 0) {
            Totals unused = paramFigures(unusedParams);
            totals = totals.plus(unused);
            int row = table.add(LayerSummary.NOT_USED_BY_FORWARD);
            table.add(row, unused);
            liveAfter[row] = row == 0 ? 0L : liveAfter[row - 1];
        }
        Totals unread = paramFigures(unreadBuffers);
        totals = totals.plus(unread);
        List<String> notes = new ArrayList<>(analysis.notes());
        if (unread.buffers() > 0) {
            notes.add("Buffers no forward reads are counted in the buffers total but shown in no row: " + unreadBuffers.size()
                    + (unreadBuffers.size() == 1 ? " tensor" : " tensors") + " of " + Units.exact(unread.buffers()) + " elements ("
                    + describe(unreadBuffers) + ").");
        }
        if (trainingRun != null) {
            trainingRun.join(null); // its failure is thrown here, after this thread's own, as when run after them
        }
        TrainingMemory training = optimizer == null ? TrainingMemory.NONE
                : trainingRun != null ? trained[0] : TrainingPass.run(prepared, optimizer);
        if (!training.unmodelledOps().isEmpty()) {
            notes.add("Training memory leaves out what these ops keep for backward (no rule yet): "
                    + String.join(", ", training.unmodelledOps()) + ".");
        }
        List<UnsupportedOp> gaps = new ArrayList<>();
        unsupported.forEach((op, names) -> gaps.add(new UnsupportedOp(op, names.size(), names)));
        Model model = analysis.model();
        long asTrained = model.folding().identified() ? Math.addExact(totals.params(), model.folding().removedParams()) : -1;
        return new Summary(new ModelInfo(model.path().toString(), model.format(), model.producer(),
                        model.folding().batchNorms(), model.folding().channels(), asTrained),
                inputsOf(analysis), outputsOf(analysis), table.build(), totals.withMemory(memory.largestBytes(), memory.peakBytes()).withTraining(training),
                gaps, unresolved, notes, depth, receptiveFields, new dev.tally.ir.LongList(liveAfter, table.size()), unread, peakRow,
                new DataDependence(dependentNodes, dependentMacs, dependentOps, sources));
    }

    /** {@code bn1.num_batches_tracked, layer1.0.bn1.num_batches_tracked and 51 more}. */
    private static String describe(List<Param> buffers) {
        List<String> names = buffers.stream().limit(2).map(Param::sourceName).toList();
        return String.join(", ", names) + (buffers.size() > 2 ? " and " + (buffers.size() - 2) + " more" : "");
    }

    /** The row name of {@code layer} at {@code depth}: its first {@code depth} dot-separated components. */
    public static String fold(String layer, int depth) {
        if (depth == 0) {
            return layer;
        }
        int end = -1;
        for (int i = 0; i < depth; i++) {
            end = layer.indexOf('.', end + 1);
            if (end < 0) {
                return layer;
            }
        }
        return layer.substring(0, end);
    }

    /** Adds a node's figures to {@code sums} (params, buffers, param bytes, MACs, FLOPs, ops, activation bytes, frozen). */
    private static void add(long[] sums, Totals figures) {
        sums[0] = Math.addExact(sums[0], figures.params());
        sums[1] = Math.addExact(sums[1], figures.buffers());
        sums[2] = Math.addExact(sums[2], figures.paramBytes());
        sums[3] = Math.addExact(sums[3], figures.macs());
        sums[4] = Math.addExact(sums[4], figures.flops());
        sums[5] = Math.addExact(sums[5], figures.ops());
        sums[6] = Math.addExact(sums[6], figures.activationBytes());
        sums[7] = Math.addExact(sums[7], figures.frozenParams());
    }

    /** A node's figures; its activation memory is what it allocates (docs/conventions.md, Part 3). */
    static Totals figuresOf(NodeResult result, long allocated) {
        Totals stored = paramFigures(result.params());
        long macs = result.cost().macs();
        return new Totals(stored.params(), stored.buffers(), stored.paramBytes(), macs,
                Convention.FLOPS.of(result.cost()), result.cost().ops(), allocated, stored.frozenParams());
    }

    static Totals paramFigures(List<Param> params) {
        if (params.isEmpty()) {
            return Totals.ZERO;
        }
        long trainable = 0;
        long buffers = 0;
        long bytes = 0;
        long frozen = 0;
        for (Param param : params) {
            if (param.role() == Role.PARAM) {
                trainable = Math.addExact(trainable, param.numel());
                if (param.frozen()) {
                    frozen = Math.addExact(frozen, param.numel());
                }
            } else if (param.role() == Role.BUFFER) {
                buffers = Math.addExact(buffers, param.numel());
            } else {
                continue;
            }
            bytes = Math.addExact(bytes, param.bytes());
        }
        return new Totals(trainable, buffers, bytes, 0, 0, 0, 0, frozen);
    }

    private static List<TensorSummary> inputsOf(Analysis analysis) {
        List<TensorSummary> inputs = new ArrayList<>();
        for (ResolvedInput input : analysis.inputs()) {
            String origin = switch (input.source()) {
                case MODEL -> "model";
                case USER -> "--input";
                case DEFAULT_BATCH -> "batch defaulted to 1";
            };
            inputs.add(new TensorSummary(input.name(), Optional.of(input.shape()), Optional.of(input.dtype()), origin));
        }
        return inputs;
    }

    private static List<TensorSummary> outputsOf(Analysis analysis) {
        List<TensorSummary> outputs = new ArrayList<>();
        for (Analysis.Output output : analysis.outputs()) {
            boolean dependent = output.info().map(TensorInfo::dataDependent).orElse(false);
            outputs.add(new TensorSummary(output.name(), output.info().map(TensorInfo::shape),
                    output.info().map(TensorInfo::dtype), dependent ? DATA_DEPENDENT_OUTPUT : ""));
        }
        return outputs;
    }

    /** Each row key's latest row and how many calls of it there have been, by the key's id. */
    private static final class Calls {
        private final dev.tally.ir.NameIndex keys;
        /**
         * Whether every key so far was its node's own name, the very string: node names are unique in a graph, so
         * each such key is new and needs no lookup (a graph whose every node is its own module, as issue 14's
         * million-node chain, hashed a million names here). At the first other key the earlier ones go into
         * {@link #keys}, in id order, and every key is looked up from then on.
         */
        private boolean ownNames;
        private String[] earlier;
        private int size;
        int[] row;
        int[] calls;

        /** @param ownNamesPossible whether the nodes are the graph's own (no subgraph's gaps among them) */
        Calls(int nodes, boolean ownNamesPossible) {
            keys = new dev.tally.ir.NameIndex(nodes);
            ownNames = ownNamesPossible;
            earlier = ownNamesPossible ? new String[Math.max(1, nodes)] : null;
            row = new int[Math.max(1, nodes)];
            calls = new int[Math.max(1, nodes)];
        }

        int size() {
            return size;
        }

        /** The id of {@code key}, the row key of {@code node}; {@link #size()} grows by one when it is new. */
        int add(String key, dev.tally.ir.Node node) {
            if (ownNames && key == node.name() && size < earlier.length) {
                earlier[size] = key;
                return size++;
            }
            if (ownNames) {
                ownNames = false;
                for (int id = 0; id < size; id++) {
                    keys.add(earlier[id]);
                }
                earlier = null;
            }
            int id = keys.add(key);
            size = keys.size();
            return id;
        }
    }

    /** What the rows need besides their figures while nodes are added: by row index, as arrays. */
    private static final class Rows {
        final int[] call;
        /** The id of the row's key in {@link Calls#keys}. */
        final int[] key;
        /** The op of the row's main node: the first with params or MACs, else the last node. */
        final String[] op;
        final boolean[] hasMain;
        /** The first output shape of the row's last node; null when it has none. */
        final Shape[] shape;
        /** The receptive field of the row's last node; allocated at the first field. */
        ReceptiveField[] fields;
        final long[] liveAfter;
        final java.util.BitSet folded = new java.util.BitSet();

        Rows(int nodes) {
            int capacity = Math.max(1, nodes);
            call = new int[capacity];
            key = new int[capacity];
            op = new String[capacity];
            hasMain = new boolean[capacity];
            shape = new Shape[capacity];
            liveAfter = new long[capacity];
        }

        void add(int row, int callNumber, int keyId) {
            call[row] = callNumber;
            key[row] = keyId;
        }

        void node(int row, NodeResult result, boolean inChild, ReceptiveField field, long live) {
            // The row shows its last node's output, so its receptive field is that node's; live bytes likewise.
            if (field != null && fields == null) {
                fields = new ReceptiveField[call.length];
            }
            if (fields != null) {
                fields[row] = field;
            }
            liveAfter[row] = live;
            if (inChild) {
                folded.set(row);
            }
            if (!hasMain[row]) {
                op[row] = result.node().opType();
                hasMain[row] = !result.params().isEmpty() || result.cost().macs() > 0;
            }
            shape[row] = result.outputs().isEmpty() ? null : result.outputs().get(0).shape();
        }
    }
}
