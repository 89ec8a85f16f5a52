package dev.tally.ir;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded model: its graph plus what the loader learned about the file.
 *
 * @param producer who wrote the file ({@code pytorch 1.13.1}), empty when unknown
 * @param notes    facts the report must show, such as BatchNorm folded into Conv by the exporter
 */
public record Model(Path path, ModelFormat format, String producer, Graph graph, List<String> notes) {
    public Model {
        notes = List.copyOf(notes);
        producer = producer == null ? "" : producer;
    }
}
