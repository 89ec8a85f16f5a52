package dev.tally.report;

import java.io.IOException;
import java.nio.charset.Charset;

/**
 * Where a report is written, when it also takes text already encoded in its charset, in order with the text appended
 * to it before: a million-row report's pieces are then encoded by the threads that make them ({@code Pieces}), not
 * all by the one that writes them (issue 14's chain: its JSON is 260 MB, whose encoding was a tenth of the run on the
 * writing thread). The command line's standard output is one.
 */
public interface EncodedOutput {
    /** The charset bytes given to {@link #appendEncoded} must be in. */
    Charset charset();

    /** Writes {@code bytes}, text encoded in {@link #charset()}, after what was written before. */
    void appendEncoded(byte[] bytes) throws IOException;
}
