package dev.tally.report;

import dev.tally.analysis.Convention;
import java.io.IOException;

/** Turns a summary into the text of one output format. */
public interface Renderer {

    /**
     * @param convention the count the user chose ({@code --convention}); formats that show every count use it to
     *                   say which one is the headline
     * @return the whole report, ending with a newline
     */
    String render(Summary summary, Convention convention);

    /**
     * Writes the text of {@link #render} to {@code out}. The table, JSON and CSV formats write it row by row
     * ({@link RowRenderer}), so a report of a million layers is never held whole (issue 14's one-million-node chain);
     * the others render first.
     */
    default void write(Summary summary, Convention convention, Appendable out) throws IOException {
        out.append(render(summary, convention));
    }
}
