package dev.tally.report;

import dev.tally.analysis.Convention;
import java.util.List;
import java.util.Map;

/**
 * Everything a report shows about one model, independent of the output format and of the chosen convention:
 * every count is here, renderers pick. Built by {@link SummaryBuilder}; {@link #check()} holds the invariant
 * that the layer rows add up to the totals.
 *
 * @param layers          one row per module call in execution order, then {@link LayerSummary#NOT_USED_BY_FORWARD}
 *                        when some parameter is read by no node (unread buffers are {@code unreadBuffers})
 * @param totals          summed over nodes and unused tensors directly, not over {@code layers}
 * @param unsupported     op types without a rule, in order of first appearance
 * @param unresolvedNodes nodes that have a rule but were not counted because an unsupported op feeds them
 * @param notes           facts the user must know (a batch dim defaulted to 1, BatchNorm folded by the exporter)
 * @param depth           the {@code --depth} the layers were folded to; 0 when not folded
 * @param receptiveFields the receptive field of each layer's output by layer name, where one is defined
 *                        (docs/conventions.md, "Receptive field")
 * @param liveAfter       activation bytes live after each layer's last node ran, in the order of {@code layers}
 *                        (the memory pass's timeline); empty when the summary was not built from a graph
 * @param unreadBuffers   buffers no node reads (BatchNorm's {@code num_batches_tracked}): in the totals, in no row,
 *                        named by a note
 * @param peakLayer       the index in {@code layers} of the layer during which live activations peak; -1 when the
 *                        peak is the inputs alone or not known (a summary read back from JSON)
 * @param dataDependence  the nodes whose sizes depend on the data, their (upper-bound) counts and the bounds stated
 */
public record Summary(ModelInfo model, List<TensorSummary> inputs, List<TensorSummary> outputs,
                      List<LayerSummary> layers, Totals totals, List<UnsupportedOp> unsupported,
                      int unresolvedNodes, List<String> notes, int depth,
                      Map<String, dev.tally.analysis.ReceptiveField> receptiveFields, List<Long> liveAfter,
                      Totals unreadBuffers, int peakLayer, DataDependence dataDependence) {
    /** A summary whose sizes all follow from the input shapes. */
    public Summary(ModelInfo model, List<TensorSummary> inputs, List<TensorSummary> outputs,
                   List<LayerSummary> layers, Totals totals, List<UnsupportedOp> unsupported,
                   int unresolvedNodes, List<String> notes, int depth,
                   Map<String, dev.tally.analysis.ReceptiveField> receptiveFields, List<Long> liveAfter,
                   Totals unreadBuffers, int peakLayer) {
        this(model, inputs, outputs, layers, totals, unsupported, unresolvedNodes, notes, depth, receptiveFields,
                liveAfter, unreadBuffers, peakLayer, DataDependence.NONE);
    }

    /** A summary without the layer of the peak. */
    public Summary(ModelInfo model, List<TensorSummary> inputs, List<TensorSummary> outputs,
                   List<LayerSummary> layers, Totals totals, List<UnsupportedOp> unsupported,
                   int unresolvedNodes, List<String> notes, int depth,
                   Map<String, dev.tally.analysis.ReceptiveField> receptiveFields, List<Long> liveAfter, Totals unreadBuffers) {
        this(model, inputs, outputs, layers, totals, unsupported, unresolvedNodes, notes, depth, receptiveFields,
                liveAfter, unreadBuffers, -1);
    }

    /** A summary whose every stored tensor is in a row. */
    public Summary(ModelInfo model, List<TensorSummary> inputs, List<TensorSummary> outputs,
                   List<LayerSummary> layers, Totals totals, List<UnsupportedOp> unsupported,
                   int unresolvedNodes, List<String> notes, int depth,
                   Map<String, dev.tally.analysis.ReceptiveField> receptiveFields, List<Long> liveAfter) {
        this(model, inputs, outputs, layers, totals, unsupported, unresolvedNodes, notes, depth, receptiveFields,
                liveAfter, Totals.ZERO);
    }

    /** A summary without receptive fields or memory timeline (read back from JSON, or built by hand). */
    public Summary(ModelInfo model, List<TensorSummary> inputs, List<TensorSummary> outputs,
                   List<LayerSummary> layers, Totals totals, List<UnsupportedOp> unsupported,
                   int unresolvedNodes, List<String> notes, int depth, Totals unreadBuffers) {
        this(model, inputs, outputs, layers, totals, unsupported, unresolvedNodes, notes, depth, Map.of(), List.of(),
                unreadBuffers);
    }

    public Summary {
        unreadBuffers = unreadBuffers == null ? Totals.ZERO : unreadBuffers;
        dataDependence = dataDependence == null ? DataDependence.NONE : dataDependence;
        receptiveFields = Map.copyOf(receptiveFields);
        // The columns of a built summary are immutable already; a copy of a million rows would double their memory.
        liveAfter = liveAfter instanceof dev.tally.ir.LongList ? liveAfter : List.copyOf(liveAfter);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        layers = layers instanceof LayerTable ? layers : List.copyOf(layers);
        unsupported = List.copyOf(unsupported);
        notes = List.copyOf(notes);
        if (depth < 0) {
            throw new IllegalArgumentException("Depth cannot be negative: " + depth + ".");
        }
    }

    /** A summary without receptive fields or memory timeline (read back from JSON, or built by hand). */
    public Summary(ModelInfo model, List<TensorSummary> inputs, List<TensorSummary> outputs, List<LayerSummary> layers,
                   Totals totals, List<UnsupportedOp> unsupported, int unresolvedNodes, List<String> notes, int depth) {
        this(model, inputs, outputs, layers, totals, unsupported, unresolvedNodes, notes, depth, Map.of(), List.of(),
                Totals.ZERO);
    }

    /** The one-line definition of each convention, by name ({@code macs}, {@code flops}, {@code ops}). */
    public Map<String, String> conventions() {
        Map<String, String> definitions = new java.util.LinkedHashMap<>();
        for (Convention convention : Convention.values()) {
            definitions.put(convention.displayName(), convention.definition());
        }
        return definitions;
    }

    /** Whether every node was counted: no unsupported op and nothing left unresolved. */
    public boolean isComplete() {
        return unsupported.isEmpty() && unresolvedNodes == 0;
    }

    /** The sum of the layer rows. */
    public Totals layerSums() {
        if (layers instanceof LayerTable table) {
            return table.sums();
        }
        Totals sum = Totals.ZERO;
        for (LayerSummary layer : layers) {
            sum = sum.plus(layer.figures());
        }
        return sum;
    }

    /**
     * Checks that each column of the layer rows, with the unread buffers, sums to the totals, and that {@code flops} is {@code 2 * macs};
     * a failure is a bug in Tally, not in the model.
     *
     * @return this summary, for chaining
     */
    public Summary check() {
        Totals sums = layerSums().plus(unreadBuffers);
        if (!sums.equals(totals.additive())) {
            throw new IllegalStateException("Layer rows of " + model.path() + " sum to " + sums + " but the totals are "
                    + totals + ".");
        }
        if (totals.flops() != Math.multiplyExact(2L, totals.macs())) {
            throw new IllegalStateException("Total flops of " + model.path() + " are not twice the MACs: " + totals + ".");
        }
        return this;
    }
}
