package dev.tally.report;

import dev.tally.ir.ModelFormat;

/**
 * Which file the summary is about.
 *
 * @param path     the path as the user gave it
 * @param producer who wrote the file ({@code pytorch 1.13.1}), empty when unknown
 */
public record ModelInfo(String path, ModelFormat format, String producer) {
    public ModelInfo {
        producer = producer == null ? "" : producer;
    }
}
