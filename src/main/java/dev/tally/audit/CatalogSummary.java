package dev.tally.audit;

import dev.tally.load.pytorch.TensorRef;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Param;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a matched checkpoint: the catalog entry's structure-only graph with every stored tensor's shape and
 * dtype taken from the checkpoint, so a fine-tuned head ({@code [10, 4096]}) is counted as it is.
 */
final class CatalogSummary {
    private CatalogSummary() {
    }

    /**
     * @param tensors the checkpoint's tensors by catalog key (any wrapper prefix already stripped)
     */
    static Analysis run(Catalog.Entry entry, Map<String, TensorRef> tensors, Path checkpoint) {
        Model loaded = load(entry);
        Graph graph = loaded.graph();
        Map<String, Param> params = new LinkedHashMap<>();
        for (Map.Entry<String, Param> item : graph.params().entrySet()) {
            Param param = item.getValue();
            TensorRef stored = tensors.get(param.sourceName());
            if (stored == null) {
                stored = tensors.get(param.name());
            }
            params.put(item.getKey(), stored == null ? param
                    : new Param(param.name(), param.sourceName(), stored.shape(), stored.dtype(), param.role()));
        }
        Graph counted = new Graph(graph.name(), graph.inputs(), graph.outputs(), graph.nodes(), params, graph.constants());
        List<String> notes = new ArrayList<>(loaded.notes());
        notes.add("The graph is the catalog's " + entry.name() + " (" + entry.builder() + ") at input "
                + new Shape(entry.inputShape()) + "; every stored tensor's shape and dtype come from " + checkpoint.getFileName() + ".");
        Model model = new Model(checkpoint, ModelFormat.ONNX, loaded.producer(), counted, notes);
        return new Analyzer().analyze(model, Map.of(), false);
    }

    private static Model load(Catalog.Entry entry) {
        Path file = null;
        try {
            file = Files.createTempFile("tally-catalog-" + entry.name() + "-", ".onnx");
            Files.write(file, entry.onnxBytes());
            return ModelLoader.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
