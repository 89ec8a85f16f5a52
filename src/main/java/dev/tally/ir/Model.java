package dev.tally.ir;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded model: its graph plus what the loader learned about the file.
 *
 * @param producer who wrote the file ({@code pytorch 1.13.1}), empty when unknown
 * @param notes    facts the report must show, such as BatchNorm folded into Conv by the exporter
 * @param folding  what the exporter folded away (BatchNorm into Conv), for figures as trained
 */
public record Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes, Folding folding) {
    public Model {
        notes = List.copyOf(notes);
        producer = producer == null ? "" : producer;
        folding = folding == null ? Folding.NONE : folding;
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
        return new Model(path, format, producer, marked, notes, folding);
    }

    /** A model from a file no exporter folded. */
    public Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes) {
        this(path, format, producer, graph, notes, Folding.NONE);
    }
}
