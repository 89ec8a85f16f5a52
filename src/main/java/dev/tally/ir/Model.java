package dev.tally.ir;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded model: its graph plus what the loader learned about the file.
 *
 * @param producer who wrote the file ({@code pytorch 1.13.1}), empty when unknown
 * @param notes    facts the report must show, such as BatchNorm folded into Conv by the exporter
 * @param folding  what the exporter folded away (BatchNorm into Conv), for figures as trained
 * @param moduleClasses the class name of each module by its path ({@code layer1.0} to {@code Bottleneck}, the root
 *                 as {@code ""}), in module-tree order, as PyTorch's {@code named_modules()}; empty when the file
 *                 does not record classes (ONNX)
 */
public record Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes, Folding folding,
                    java.util.Map<String, String> moduleClasses) {
    public Model {
        notes = List.copyOf(notes);
        producer = producer == null ? "" : producer;
        folding = folding == null ? Folding.NONE : folding;
        moduleClasses = moduleClasses == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(moduleClasses));
    }

    /** A model whose file records no module classes. */
    public Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes, Folding folding) {
        this(path, format, producer, graph, notes, folding, java.util.Map.of());
    }

    /**
     * This model with each parameter {@code frozen} accepts marked frozen (the others keep what the file said);
     * buffers and constants are never frozen.
     */
    public Model withFrozenParams(java.util.function.Predicate<Param> frozen) {
        java.util.Map<String, Param> params = new java.util.LinkedHashMap<>();
        graph.params().forEach((key, param) -> params.put(key,
                param.role() == Role.PARAM && frozen.test(param) ? param.withFrozen(true) : param));
        Graph marked = new Graph(graph.name(), graph.inputs(), graph.outputs(), graph.nodes(), params, graph.constants());
        return new Model(path, format, producer, marked, notes, folding, moduleClasses);
    }

    /** A model from a file no exporter folded. */
    public Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes) {
        this(path, format, producer, graph, notes, Folding.NONE);
    }
}
