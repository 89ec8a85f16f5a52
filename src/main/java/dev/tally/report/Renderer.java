package dev.tally.report;

import dev.tally.analysis.Convention;

/** Turns a summary into the text of one output format. */
public interface Renderer {

    /**
     * @param convention the count the user chose ({@code --convention}); formats that show every count use it to
     *                   say which one is the headline
     * @return the whole report, ending with a newline
     */
    String render(Summary summary, Convention convention);
}
