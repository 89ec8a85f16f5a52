package dev.tally.report;

import dev.tally.analysis.Convention;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A format written row by row ({@link #write}), so a report of a million layers is never held whole; {@link #render}
 * is that text collected in memory.
 */
public interface RowRenderer extends Renderer {

    @Override
    void write(Summary summary, Convention convention, Appendable out) throws IOException;

    @Override
    default String render(Summary summary, Convention convention) {
        StringBuilder out = new StringBuilder();
        try {
            write(summary, convention, out);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing into memory failed.", e); // a StringBuilder does not fail
        }
        return out.toString();
    }
}
