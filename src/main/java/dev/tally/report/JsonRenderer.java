package dev.tally.report;

import dev.tally.analysis.TrainingMemory;
import dev.tally.analysis.ReceptiveField;
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
public final class JsonRenderer implements Renderer {
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

    @Override
    public String render(Summary summary, Convention convention) {
        StringBuilder out = new StringBuilder();
        try {
            write(summary, convention, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringBuilder does not fail
        }
        return out.toString();
    }

    /** The same text as {@link #render}, the layer rows made and written one at a time. */
    @Override
    public void write(Summary summary, Convention convention, Appendable out) throws IOException {
        ObjectNode root = tree(summary, convention);
        int count = summary.layers().size();
        JsonText.write(out, root, printer(), root.get("layers"), generator -> {
            if (count < twoThreads) {
                for (int index = 0; index < count; index++) {
                    writeLayer(generator, summary, index);
                }
            } else {
                // The pieces go to the generator's Writer itself, after what the generator holds: through writeRaw each
                // was copied once more into the generator's buffer.
                generator.flush();
                java.io.Writer target = (java.io.Writer) generator.getOutputTarget();
                Pieces.write(count, rowsPerPiece, (from, to, piece) -> writeLayers(piece, summary, from, to), target::write);
            }
        });
        out.append("\n");
    }

    /** Objects one field a line, arrays on one line: a shape reads [1, 64, 56, 56], and a diff of two reports shows one changed figure per line. */
    private static DefaultPrettyPrinter printer() {
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

    /**
     * Layer row {@code index} written straight to {@code generator}: the same tokens as {@link #layer}'s tree (which
     * {@code JsonRendererTest} checks), without a tree per row (a million maps of a dozen fields for issue 14's chain).
     */
    private static void writeLayer(com.fasterxml.jackson.core.JsonGenerator generator, Summary summary, int index)
            throws IOException {
        LayerSummary layer = summary.layers().get(index);
        generator.writeStartObject();
        generator.writeStringField("name", layer.name());
        generator.writeStringField("type", layer.type());
        generator.writeFieldName("outputShape");
        if (layer.outputShape().isEmpty()) {
            generator.writeNull();
        } else {
            writeLongs(generator, layer.outputShape().get().dims());
        }
        generator.writeNumberField("params", layer.params());
        generator.writeNumberField("buffers", layer.buffers());
        generator.writeNumberField("paramBytes", layer.paramBytes());
        generator.writeNumberField("macs", layer.macs());
        generator.writeNumberField("flops", layer.flops());
        generator.writeNumberField("ops", layer.ops());
        generator.writeNumberField("activationBytes", layer.activationBytes());
        generator.writeNumberField("nodes", layer.nodes());
        generator.writeNumberField("uncountedNodes", layer.uncountedNodes());
        if (index < summary.liveAfter().size()) {
            generator.writeNumberField("liveBytesAfter", summary.liveAfter().get(index));
        }
        ReceptiveField field = summary.receptiveFields().get(layer.name());
        if (field != null) {
            generator.writeFieldName("receptiveField");
            generator.writeStartObject();
            if (field.wholeInput()) {
                generator.writeBooleanField("wholeInput", true);
            } else {
                generator.writeFieldName("size");
                writeLongs(generator, field.size());
                generator.writeFieldName("jump");
                writeLongs(generator, field.jump());
                generator.writeFieldName("start");
                writeLongs(generator, field.start());
            }
            if (field.jumpsDiffer()) {
                generator.writeBooleanField("jumpsDiffer", true);
            }
            generator.writeEndObject();
        }
        if (layer.isDataDependent()) {
            generator.writeNumberField("dataDependentNodes", layer.dataDependentNodes());
        }
        if (layer.frozenParams() > 0) {
            generator.writeNumberField("frozenParams", layer.frozenParams());
        }
        generator.writeEndObject();
    }

    /**
     * Rows {@code from} to {@code to} as {@link #writeLayer} writes them inside the report's "layers" array (after
     * row {@code from - 1}, if any): a generator of their own writes them after the same nesting, and a stand-in row
     * before, so that indents and separators are the report's; the text before theirs is then cut off. The report's
     * generator never sees the rows, so it counts none: an array it closes with none or with some ends alike, " ]".
     */
    private static void writeLayers(StringBuilder piece, Summary summary, int from, int to) throws IOException {
        java.io.Writer writer = new java.io.Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                piece.append(chars, offset, length);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        // Never closed: closing would end the open array and object.
        com.fasterxml.jackson.core.JsonGenerator generator = PIECES.createGenerator(writer);
        generator.setPrettyPrinter(printer().createInstance());
        generator.writeStartObject();
        generator.writeFieldName("layers");
        generator.writeStartArray();
        if (from > 0) {
            generator.writeNumber(0); // the stand-in for the rows before
        }
        generator.flush();
        int start = piece.length();
        for (int index = from; index < to; index++) {
            writeLayer(generator, summary, index);
        }
        generator.flush();
        piece.delete(0, start);
    }

    private static final com.fasterxml.jackson.core.JsonFactory PIECES = new com.fasterxml.jackson.core.JsonFactory();

    private static void writeLongs(com.fasterxml.jackson.core.JsonGenerator generator, java.util.List<Long> values)
            throws IOException {
        generator.writeStartArray();
        for (int i = 0; i < values.size(); i++) {
            generator.writeNumber(values.get(i).longValue());
        }
        generator.writeEndArray();
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
