package dev.tally.report;

import dev.tally.analysis.TrainingMemory;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.analysis.Convention;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON report: a contract that later commands ({@code check --baseline}, {@code compare}) and users'
 * scripts rely on. These names never change; fields may be added:
 * <pre>
 * {"model": {"path", "format"}, "inputs": [{"name","shape","dtype"}], "outputs": [...],
 *  "layers": [{"name","type","outputShape","params","buffers","macs","flops","ops","activationBytes"}],
 *  "totals": {"params","buffers","paramBytes","macs","flops","ops","activationBytes","trainableParams","frozenParams"}, "unsupported": []}
 * </pre>
 * When a size depends on the data, the layer rows concerned carry {@code "dataDependentNodes"}, an output's
 * {@code "origin"} says so, and {@code "dataDependent": {"nodes","macs","flops","ops","sources": [{"node","op","bound"}]}}
 * gives the part of the totals that is an upper bound.
 * Shapes are arrays of integers, {@code null} when unresolved. The tree is built field by field rather than by
 * serializing the records, so renaming a record component cannot silently change the contract.
 */
public final class JsonRenderer implements RowRenderer {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Reports of this many layer rows or more are written in {@link Pieces} made on a helper thread. */
    private final int twoThreads;
    private final int rowsPerPiece;

    public JsonRenderer() {
        this(TextTable.TWO_THREADS, Pieces.ROWS);
    }

    /** For tests: pieces on small reports too. */
    JsonRenderer(int twoThreads, int rowsPerPiece) {
        this.twoThreads = twoThreads;
        this.rowsPerPiece = rowsPerPiece;
    }

    /** The same text as {@link #render}, the layer rows made and written one at a time. */
    @Override
    public void write(Summary summary, Convention convention, Appendable out) throws IOException {
        ObjectNode root = tree(summary, convention);
        int count = summary.layers().size();
        JsonText.write(out, root, printer(), root.get("layers"), generator -> {
            // The rows are text JsonRows makes, written to the generator's Writer itself after what the generator holds
            // (through writeRaw each piece was copied once more into the generator's buffer). The generator never sees
            // them, so it counts none: it closes an array with none or with some alike, " ]".
            generator.flush();
            java.io.Writer target = (java.io.Writer) generator.getOutputTarget();
            LayerTable layers = LayerTable.of(summary.layers());
            if (count < twoThreads) {
                StringBuilder rows = new StringBuilder();
                JsonRows.write(rows, summary, layers, 0, count);
                target.append(rows);
            } else {
                Pieces.write(count, rowsPerPiece, (from, to, piece) -> JsonRows.write(piece, summary, layers, from, to),
                        target);
            }
        });
        out.append("\n");
    }

    /** Objects one field a line, arrays on one line: a shape reads [1, 64, 56, 56], and a diff of two reports shows one changed figure per line. */
    static DefaultPrettyPrinter printer() {
        return new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance);
    }

    /** The report without its layer rows ({@code layers} an empty array): {@link #write} streams the rows into it. */
    private static ObjectNode tree(Summary summary, Convention convention) {
        ObjectNode root = NODES.objectNode();
        ObjectNode model = root.putObject("model");
        model.put("path", summary.model().path());
        model.put("format", summary.model().format().displayName());
        model.put("producer", summary.model().producer());
        if (summary.model().foldedBatchNorms() > 0) {
            model.put("foldedBatchNorms", summary.model().foldedBatchNorms());
            model.put("foldedChannels", summary.model().foldedChannels());
        }
        ArrayNode inputs = root.putArray("inputs");
        summary.inputs().forEach(t -> inputs.add(tensor(t)));
        ArrayNode outputs = root.putArray("outputs");
        summary.outputs().forEach(t -> outputs.add(tensor(t)));
        root.putArray("layers");
        Totals totals = summary.totals();
        ObjectNode sums = root.putObject("totals");
        sums.put("params", totals.params());
        sums.put("buffers", totals.buffers());
        sums.put("paramBytes", totals.paramBytes());
        sums.put("macs", totals.macs());
        sums.put("flops", totals.flops());
        sums.put("ops", totals.ops());
        sums.put("activationBytes", totals.activationBytes());
        sums.put("largestActivationBytes", totals.largestActivationBytes());
        sums.put("peakActivationBytes", totals.peakActivationBytes());
        sums.put("trainableParams", totals.trainableParams());
        sums.put("frozenParams", totals.frozenParams());
        if (!totals.training().isNone()) {
            TrainingMemory training = totals.training();
            sums.put("trainingBytes", totals.trainingBytes());
            ObjectNode parts = sums.putObject("training");
            parts.put("optimizer", training.optimizer().displayName());
            parts.put("params", training.params());
            parts.put("gradients", training.gradients());
            parts.put("optimizerState", training.optimizerState());
            parts.put("savedActivations", training.savedActivations());
            parts.put("backwardTransient", training.backwardTransient());
            parts.put("optimizerStepTransient", training.optimizerStepTransient());
        }
        if (summary.unreadBuffers().buffers() > 0) {
            sums.put("unreadBuffers", summary.unreadBuffers().buffers());
            sums.put("unreadBufferBytes", summary.unreadBuffers().paramBytes());
        }
        if (summary.model().hasParamsAsTrained()) {
            // PyTorch's count with the BatchNorms the exporter folded (identified through the catalog) put back.
            sums.put("paramsAsTrained", summary.model().paramsAsTrained());
        }
        ArrayNode unsupported = root.putArray("unsupported");
        for (UnsupportedOp op : summary.unsupported()) {
            ObjectNode entry = unsupported.addObject();
            entry.put("op", op.opType());
            entry.put("count", op.count());
            ArrayNode nodes = entry.putArray("nodes");
            op.nodes().forEach(nodes::add);
        }
        if (summary.dataDependence().any()) {
            // The part of the totals taken at the bounds the graph states: upper bounds, not exact counts.
            DataDependence dependence = summary.dataDependence();
            ObjectNode dependent = root.putObject("dataDependent");
            dependent.put("nodes", dependence.nodes());
            dependent.put("macs", dependence.macs());
            dependent.put("flops", Math.multiplyExact(2L, dependence.macs()));
            dependent.put("ops", dependence.ops());
            ArrayNode sources = dependent.putArray("sources");
            for (DataDependence.Source source : dependence.sources()) {
                ObjectNode entry = sources.addObject();
                entry.put("node", source.node());
                entry.put("op", source.op());
                entry.put("bound", source.note());
            }
        }
        root.put("unresolvedNodes", summary.unresolvedNodes());
        root.put("complete", summary.isComplete());
        root.put("depth", summary.depth());
        root.put("convention", convention.displayName());
        ObjectNode definitions = root.putObject("conventions");
        for (Map.Entry<String, String> entry : summary.conventions().entrySet()) {
            definitions.put(entry.getKey(), entry.getValue());
        }
        ArrayNode notes = root.putArray("notes");
        summary.notes().forEach(notes::add);
        return root;
    }


    private static ObjectNode tensor(TensorSummary tensor) {
        ObjectNode node = NODES.objectNode();
        node.put("name", tensor.name());
        node.set("shape", shape(tensor.shape()));
        node.put("dtype", tensor.dtype().map(DType::displayName).orElse(null));
        if (!tensor.origin().isEmpty()) {
            node.put("origin", tensor.origin());
        }
        return node;
    }

    private static com.fasterxml.jackson.databind.JsonNode shape(Optional<Shape> shape) {
        if (shape.isEmpty()) {
            return NODES.nullNode();
        }
        ArrayNode dims = NODES.arrayNode();
        shape.get().dims().forEach(dims::add);
        return dims;
    }
}
