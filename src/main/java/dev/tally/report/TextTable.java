package dev.tally.report;

import dev.tally.util.SecondThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Rows of cells rendered either as an aligned plain-text table (columns padded to their widest cell, two spaces
 * apart, numbers right-aligned) or as a GitHub-flavoured Markdown table, so that the table and markdown formats
 * of {@code summary}, {@code compare}, {@code check} and batch summaries show the same cells.
 */
public final class TextTable {
    private final String[] headers;
    private final boolean[] right;
    /** Each entry a row (String[]), a rule (null) or a {@link Block} of rows made when they are written. */
    private final List<Object> rows = new ArrayList<>();

    /**
     * {@code count} rows that {@code cells} makes when asked, once to measure the columns and once to write them: a
     * table of a million layers is never held as cells (issue 14's one-million-node chain held 400 MB of them).
     */
    private record Block(int count, IntFunction<String[]> cells) {
    }

    public TextTable(String... headers) {
        this.headers = headers.clone();
        this.right = new boolean[headers.length];
    }

    /** Right-aligns the given columns (0-based), as numbers read best. */
    public TextTable alignRight(int... columns) {
        for (int column : columns) {
            right[column] = true;
        }
        return this;
    }

    public TextTable row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("A row of " + cells.length + " cells in a table of " + headers.length + " columns.");
        }
        rows.add(cells.clone());
        return this;
    }

    public TextTable row(List<String> cells) {
        return row(cells.toArray(new String[0]));
    }

    /**
     * {@code count} rows, row {@code i} being {@code cells.apply(i)}; made again each time the table is rendered, and
     * for a block of {@link #TWO_THREADS} rows or more on two threads at once, so {@code cells} must allow that.
     */
    public TextTable rows(int count, IntFunction<String[]> cells) {
        rows.add(new Block(count, cells));
        return this;
    }

    /** Calls {@code action} with every row in order (a rule as null), making the rows of blocks as it goes. */
    private void forEachRow(RowAction action) throws IOException {
        for (Object entry : rows) {
            if (entry instanceof Block block) {
                for (int i = 0; i < block.count(); i++) {
                    action.accept(cells(block, i));
                }
            } else {
                action.accept((String[]) entry);
            }
        }
    }

    private String[] cells(Block block, int i) {
        String[] cells = block.cells().apply(i);
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("A row of " + cells.length + " cells in a table of " + headers.length + " columns.");
        }
        return cells;
    }

    /**
     * Blocks of this many rows or more are measured and laid out on two threads (the text still written in order by
     * the caller's): on issue 14's one-million-node chain, making and padding the cells was a fifth of the run.
     */
    static final int TWO_THREADS = SecondThread.GRAPH_NODES;

    /** Widens {@code widths} to every row's cells: a big block's second half measured by a helper thread. */
    private void measure(int[] widths) {
        for (Object entry : rows) {
            if (entry instanceof Block block && block.count() >= TWO_THREADS) {
                int half = block.count() / 2;
                int[] second = new int[widths.length];
                SecondThread helper = SecondThread.start("tally-rows", () -> measure(block, half, block.count(), second));
                RuntimeException first = null;
                try {
                    measure(block, 0, half, widths);
                } catch (RuntimeException e) {
                    first = e;
                }
                helper.join(first); // the first half's failure wins, as it would one thread
                for (int i = 0; i < widths.length; i++) {
                    widths[i] = Math.max(widths[i], second[i]);
                }
            } else if (entry instanceof Block block) {
                measure(block, 0, block.count(), widths);
            } else if (entry != null) {
                widen(widths, (String[]) entry);
            }
        }
    }

    private void measure(Block block, int from, int to, int[] widths) {
        for (int i = from; i < to; i++) {
            widen(widths, cells(block, i));
        }
    }

    private static void widen(int[] widths, String[] row) {
        for (int i = 0; i < row.length; i++) {
            widths[i] = Math.max(widths[i], row[i].length());
        }
    }

    private interface RowAction {
        void accept(String[] cells) throws IOException;
    }

    /** A line of dashes across the plain-text table; Markdown has no such line and leaves it out. */
    public TextTable rule() {
        rows.add(null);
        return this;
    }

    /** The plain-text table, each line without trailing spaces and ending with a newline. */
    public String renderText() {
        return renderText("", true);
    }

    /** The plain-text rows only, each line starting with {@code indent}: a block of label-value lines. */
    public String renderWithoutHeader(String indent) {
        return renderText(indent, false);
    }

    private String renderText(String indent, boolean withHeader) {
        StringBuilder out = new StringBuilder();
        try {
            writeText(out, indent, withHeader);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing into memory failed.", e);
        }
        return out.toString();
    }

    /** The plain-text table written to {@code out} line by line: what {@link #renderText()} returns. */
    public void writeText(Appendable out) throws IOException {
        writeText(out, "", true);
    }

    private void writeText(Appendable out, String indent, boolean withHeader) throws IOException {
        int[] widths = new int[headers.length];
        if (withHeader) {
            for (int i = 0; i < headers.length; i++) {
                widths[i] = headers[i].length();
            }
        }
        measure(widths);
        int total = 2 * (widths.length - 1);
        for (int width : widths) {
            total += width;
        }
        String rule = indent + "-".repeat(total) + "\n";
        StringBuilder line = new StringBuilder();
        if (withHeader) {
            line(out, line, indent, headers, widths);
            out.append(rule);
        }
        for (Object entry : rows) {
            if (entry instanceof Block block && block.count() >= TWO_THREADS) {
                writeInPieces(out, block, indent, widths);
            } else if (entry instanceof Block block) {
                for (int i = 0; i < block.count(); i++) {
                    line(out, line, indent, cells(block, i), widths);
                }
            } else if (entry == null) {
                out.append(rule);
            } else {
                line(out, line, indent, (String[]) entry, widths);
            }
        }
    }

    /** A big block's lines: a helper thread lays out pieces of rows while this one writes the previous piece. */
    private void writeInPieces(Appendable out, Block block, String indent, int[] widths) throws IOException {
        Pieces.write(block.count(), Pieces.ROWS, (from, to, piece) -> {
            StringBuilder line = new StringBuilder(); // a scratch line per piece: both threads make pieces
            for (int i = from; i < to; i++) {
                line(piece, line, indent, cells(block, i), widths);
            }
        }, out);
    }

    /** The Markdown table, cells escaped so that a module path or a message cannot break it. */
    public String renderMarkdown() {
        StringBuilder out = new StringBuilder();
        markdownLine(out, headers);
        out.append('|');
        for (boolean r : right) {
            out.append(r ? "---:|" : "---|");
        }
        out.append('\n');
        try {
            forEachRow(row -> {
                if (row != null) {
                    markdownLine(out, row);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Writing into memory failed.", e);
        }
        return out.toString();
    }

    /** One line, cells padded to their column's width, without trailing spaces; {@code line} is scratch space. */
    private void line(Appendable out, StringBuilder line, String indent, String[] cells, int[] widths) throws IOException {
        line.setLength(0);
        line.append(indent);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            int pad = widths[i] - cells[i].length();
            // Spaces appended one by one rather than a repeated string each: a million-row table padded every cell.
            if (right[i]) {
                pad(line, pad).append(cells[i]);
            } else {
                pad(line.append(cells[i]), pad);
            }
        }
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        line.setLength(end);
        out.append(line.append('\n'));
    }

    private static StringBuilder pad(StringBuilder line, int spaces) {
        for (int i = 0; i < spaces; i++) {
            line.append(' ');
        }
        return line;
    }

    private static void markdownLine(StringBuilder out, String[] cells) {
        out.append('|');
        for (String cell : cells) {
            String text = markdownCell(cell);
            out.append(' ').append(text).append(text.isEmpty() ? "|" : " |");
        }
        out.append('\n');
    }

    /** Escapes what Markdown would read as table syntax or markup in a cell; line breaks become spaces. */
    public static String markdownCell(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '|', '\\', '`', '_', '*', '<', '>' -> escaped.append('\\').append(c);
                case '\n', '\r' -> escaped.append(' ');
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
