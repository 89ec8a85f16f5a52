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

    /** A model from a file no exporter folded. */
    public Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes) {
        this(path, format, producer, graph, notes, Folding.NONE);
    }
}
