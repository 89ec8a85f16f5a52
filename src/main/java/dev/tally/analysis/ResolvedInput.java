package dev.tally.analysis;

import dev.tally.ir.DType;
import dev.tally.ir.Shape;

/** A graph input with the shape the analysis used, and whether that shape came from the user or a default. */
public record ResolvedInput(String name, DType dtype, Shape shape, Source source) {
    public enum Source {
        /** The file declares every dim. */
        MODEL,
        /** Given with --input. */
        USER,
        /** The file's batch dim is symbolic and was taken as 1. */
        DEFAULT_BATCH
    }
}
