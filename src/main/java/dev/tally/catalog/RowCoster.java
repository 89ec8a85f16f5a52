package dev.tally.catalog;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.budget.BatchFit;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.TallyException;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import dev.tally.load.ModelLoader;
import dev.tally.report.Cells;
import dev.tally.report.DataDependence;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Totals;
import dev.tally.report.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts a weights entry on its structure-only graph, at the entry's evaluation input or at another one.
 *
 * <p>The stored graphs were exported with fixed sizes. To count at another input (an entry evaluated at 384 whose
 * architecture was exported at 224, or {@code --input 1x3x160x160}), every input dim is opened and the shape
 * pass runs again from the new shape: sizes the exporter traced (Shape, Gather, Resize to the input size) follow
 * the new input, while a size it baked in (a position embedding, an adaptive pooling turned into a fixed
 * kernel, a fixed Reshape) makes the shape pass fail, and the row then says it cannot be re-sized instead of
 * showing a number. The architectures whose ONNX graphs fix such a size carry a structure-only traced TorchScript
 * graph too ({@link WeightsEntry#tracedGraph()}): the TorchScript reader follows the input through the code, as the
 * model does, so those rows are re-sized and searched for their fitBatch there; only a size the model itself fixes
 * (ViT's position embedding) still refuses. The catalog test checks every re-sized row against the real model's
 * count at that size.
 */
final class RowCoster {
    private static final String QUANTIZATION = "quantization";
    private static final String DETECTION = "detection";
    private final Analyzer analyzer;
    private final MemoryFigures memoryFigures;
    private final MemoryFigures.Budget budget;
    // Rows are counted in parallel (the largest-batch search runs the shape pass a dozen times per row).
    private final Map<String, Model> graphs = new ConcurrentHashMap<>();
    private final Map<String, Path> files = new ConcurrentHashMap<>();

    /** @param budget {@code --memory} and {@code --by} for {@link #withFit}, or null */
    RowCoster(Analyzer analyzer, MemoryFigures memoryFigures, MemoryFigures.Budget budget) {
        this.analyzer = analyzer;
        this.memoryFigures = memoryFigures;
        this.budget = budget;
    }

    /** The row of {@code entry} at {@code override}, or at the entry's own input when it is empty. */
    CatalogRow row(WeightsEntry entry, Optional<Shape> override) {
        Optional<Shape> input = override.isPresent() ? override
                : entry.input().isEmpty() ? Optional.empty() : Optional.of(new Shape(entry.input()));
        if (entry.graph() == null) {
            return absent(entry, input, "no graph: " + entry.graphNote());
        }
        if (input.isEmpty()) {
            return absent(entry, input, "no graph: the task has no fixed input");
        }
        Shape exported = new Shape(entry.graphInput());
        if (input.get().rank() != exported.rank()) {
            return absent(entry, input, "the graph takes a rank-" + exported.rank() + " input (" + exported + "), not " + input.get());
        }
        boolean resized = !input.get().equals(exported);
        boolean traced = false;
        try {
            Map<String, Shape> shapes = shapes(entry, input.get());
            Analysis analysis;
            if (tracedOnly(entry)) {
                // A catalog-only architecture kept as its TorchScript graph alone (Swin-B/S and MViT v2 traced, RAFT scripted):
                // read at the row's input, any size.
                // Not strict: Swin's traced code fills its shifted-window mask with aten::fill (no MACs), which the row's
                // note names; the catalog test holds these rows' MACs to the real model's.
                analysis = analyzer.analyze(ModelLoader.load(file(entry.graph()), shapes), shapes, false);
            } else if (!resized) {
                analysis = analyzer.analyze(graph(entry), Map.of(), true);
            } else {
                try {
                    analysis = analyzer.analyze(openInputs(graph(entry)), shapes, true);
                } catch (TallyException | ArithmeticException e) {
                    if (entry.tracedGraph() == null) {
                        throw e;
                    }
                    // The ONNX graph fixed a size; the traced graph follows the input as the model does, and its
                    // refusal (ViT's position embedding) is the model's own.
                    traced = true;
                    analysis = analyzer.analyze(ModelLoader.load(file(entry.tracedGraph()), shapes), shapes, true);
                }
            }
            Summary summary = SummaryBuilder.build(analysis);
            Totals totals = summary.totals();
            CatalogRow.Cost cost = CatalogRow.Cost.of(summary);
            List<String> notes = new ArrayList<>();
            if (entry.graphNote() != null) {
                notes.add(entry.graphNote());
            }
            if (!summary.unsupported().isEmpty()) {
                // Swin's traced graph fills its shifted-window mask with aten::fill (no MACs): named, never hidden.
                notes.add("nodes Tally has no rule for are not counted: " + String.join(", ",
                        summary.unsupported().stream().map(op -> op.opType()).distinct().sorted().toList()));
            }
            if (cost.dataDependentMacs().isPresent()) {
                notes.add(dataDependentNote(summary, cost));
            }
            if (resized && !tracedOnly(entry)) {
                notes.add(traced ? "counted on the traced TorchScript graph, whose sizes follow the input (the ONNX graph fixes "
                        + "sizes of the export input " + exported + ")" : "re-sized from the graph's export input " + exported);
            }
            if (totals.params() < entry.params()) {
                // Inception v3 keeps its AuxLogits head, which only runs in training: the eval graph does not read it.
                notes.add("the evaluation graph reads " + dev.tally.report.Units.exact(totals.params()) + " of the model's "
                        + dev.tally.report.Units.exact(entry.params()) + " params; the rest are not run in eval mode");
            } else if (totals.params() > entry.params()) {
                // Swin V2 registers relative_coords_table as a float buffer; in ONNX it is an initializer like any weight.
                notes.add("Tally's count of the graph, " + dev.tally.report.Units.exact(totals.params()) + ", includes float buffers "
                        + "that ONNX stores like params (the model's own count is " + dev.tally.report.Units.exact(entry.params()) + ")");
            }
            // A quantized entry is counted on its float graph (same MACs, docs/conventions.md): its float32
            // activations are not the quantized model's one-byte quint8 ones, so it shows no memory.
            Optional<MemoryFigures.Memory> memory = entry.task().equals(QUANTIZATION) ? Optional.empty() : memoryFigures.of(analysis);
            if (entry.task().equals(QUANTIZATION)) {
                notes.add("no memory figure: the float graph's activations are float32, the quantized model's one-byte quint8");
            }
            return new CatalogRow(entry, input, Optional.of(cost), entry.params(), memory, String.join("; ", notes), false, false);
        } catch (TallyException | ArithmeticException e) {
            // A TorchScript graph kept alone has no size of its own (RAFT's script): the input itself is what it refuses.
            String why = resized && !tracedOnly(entry) ? "cannot be re-sized from " + exported + ": "
                    : tracedOnly(entry) ? "not countable at " + input.get() + ": " : "not countable: ";
            // The renderers end the note with a period of their own.
            String message = String.valueOf(e.getMessage());
            return absent(entry, input, why + (message.endsWith(".") ? message.substring(0, message.length() - 1) : message));
        }
    }

    /**
     * What a row whose sizes depend on the data (detection) is made of: the exact part, the bound of the rest, and the
     * sizes that have no bound, if any (Mask R-CNN's pasting of masks into the image, a Resize to sizes read from boxes).
     */
    private static String dataDependentNote(Summary summary, CatalogRow.Cost cost) {
        DataDependence dependence = summary.dataDependence();
        String note = "data-dependent: " + Units.exact(cost.macs()) + " MACs do not depend on the data and are exact (backbone and heads); "
                + (cost.dataDependentMacs().get() == 0 ? "the part that depends on the boxes found (NMS, detections) has no MACs"
                : "the part that depends on the boxes found (proposals, detections) is counted at the bounds the graph states: at most "
                + Units.exact(cost.dataDependentMacs().get()) + " MACs more")
                + "; peak memory is at those bounds too";
        List<String> unbounded = dependence.sources().stream().filter(s -> s.note().startsWith(Cells.UNBOUNDED))
                .map(DataDependence.Source::op).distinct().sorted().toList();
        return unbounded.isEmpty() ? note
                : note + "; sizes computed from data values without a bound (" + String.join(", ", unbounded) + ") leave what they feed uncounted";
    }

    /** {@code row} with the largest batch that fits the budget, when it has a cost and memory to fit. */
    CatalogRow withFit(CatalogRow row) {
        if (budget == null || row.cost().isEmpty() || row.memory().isEmpty() || row.entry().graph() == null) {
            return row;
        }
        if (row.entry().task().equals(DETECTION)) {
            // The model takes a list of images: its graph's input is one [3, H, W] image, with no batch axis to search.
            String note = "no fitBatch: a detection graph takes one image (" + row.input().map(Shape::toString).orElse("?") + "), not a batch";
            return new CatalogRow(row.entry(), row.input(), row.cost(), row.params(),
                    Optional.of(new MemoryFigures.Memory(row.memory().get().peakActivationBytes(), null, note)),
                    row.note().isEmpty() ? note : row.note() + "; " + note, row.pareto(), row.yours());
        }
        MemoryFigures.Memory memory = tracedOnly(row.entry()) ? null
                : MemoryFigures.fit(row.memory().get(), analyzer, openInputs(graph(row.entry())), row.input().get(), budget);
        // A row kept as a TorchScript graph alone is searched there (Swin-B/S, MViT v2, RAFT).
        String torchScript = row.entry().tracedGraph() != null ? row.entry().tracedGraph() : tracedOnly(row.entry()) ? row.entry().graph() : null;
        if ((memory == null || memory.fitBatch() == null) && torchScript != null) {
            // The ONNX graph keeps batch 1 in a Reshape (ViT, MaxViT, ShuffleNet, Swin): the traced graph follows the batch.
            memory = MemoryFigures.fit(row.memory().get(), new BatchFit(ModelLoader::load, analyzer), file(torchScript),
                    shapes(row.entry(), row.input().get()), budget);
        }
        String note = memory.fitNote().isEmpty() ? row.note() : row.note().isEmpty() ? memory.fitNote() : row.note() + "; " + memory.fitNote();
        return new CatalogRow(row.entry(), row.input(), row.cost(), row.params(), Optional.of(memory), note, row.pareto(), row.yours());
    }

    /**
     * Whether the row's graph is a traced TorchScript graph with no ONNX graph beside it: make_weights_catalog.py keeps
     * the catalog-only architectures whose ONNX graphs fix sizes (Swin-B/S) that way, a quarter of the ONNX graph's bytes.
     */
    private static boolean tracedOnly(WeightsEntry entry) {
        return entry.graph().endsWith(".pt.gz");
    }

    /**
     * The graph's input shapes: {@code input} for its lone input, or for each of its inputs when it has several (RAFT's two
     * frames take the same shape, which is how {@code --input} applies to them).
     */
    static Map<String, Shape> shapes(WeightsEntry entry, Shape input) {
        if (entry.inputNames().isEmpty()) {
            return Map.of(InputShapes.UNNAMED, input);
        }
        Map<String, Shape> shapes = new java.util.LinkedHashMap<>();
        entry.inputNames().forEach(name -> shapes.put(name, input));
        return shapes;
    }

    private static CatalogRow absent(WeightsEntry entry, Optional<Shape> input, String why) {
        return new CatalogRow(entry, input, Optional.empty(), entry.params(), Optional.empty(), why, false, false);
    }

    /** The model with every input dim symbolic, so that an input of another size can be given. */
    private static Model openInputs(Model model) {
        Graph graph = model.graph();
        List<Value> inputs = new ArrayList<>();
        for (Value input : graph.inputs()) {
            inputs.add(input.type().map(type -> {
                List<Dim> open = new ArrayList<>();
                for (int i = 0; i < type.dims().size(); i++) {
                    open.add(new Dim.Symbol("d" + i));
                }
                return new Value(input.name(), new TensorType(type.dtype(), open));
            }).orElse(input));
        }
        Graph opened = new Graph(graph.name(), inputs, graph.outputs(), graph.nodes(), graph.params(), graph.constants());
        return new Model(model.path(), model.format(), model.producer(), opened, model.notes());
    }

    private Model graph(WeightsEntry entry) {
        return graphs.computeIfAbsent(entry.graph(), RowCoster::load);
    }

    /**
     * The resource as a file for the process's lifetime: a TorchScript graph is read again at every input shape (its
     * code depends on the shapes), so it is written once.
     */
    private Path file(String resource) {
        return files.computeIfAbsent(resource, r -> {
            try {
                Path folder = Files.createTempDirectory("tally-weights-");
                Path file = folder.resolve(r.substring(r.lastIndexOf('/') + 1).replace(".gz", ""));
                Files.write(file, WeightsCatalog.graphBytes(r));
                folder.toFile().deleteOnExit();
                file.toFile().deleteOnExit();
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Model load(String resource) {
        Path file = null;
        try {
            // Named after the graph, since a message about it names the file.
            Path folder = Files.createTempDirectory("tally-weights-");
            file = folder.resolve(resource.substring(resource.lastIndexOf('/') + 1).replace(".gz", ""));
            Files.write(file, WeightsCatalog.graphBytes(resource));
            folder.toFile().deleteOnExit();
            return ModelLoader.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(file.getParent());
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
