package dev.tally.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of cells rendered either as an aligned plain-text table (columns padded to their widest cell, two spaces
 * apart, numbers right-aligned) or as a GitHub-flavoured Markdown table, so that the table and markdown formats
 * of {@code summary}, {@code compare}, {@code check} and batch summaries show the same cells.
 */
public final class TextTable {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

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
        int[] widths = new int[headers.length];
        if (withHeader) {
            for (int i = 0; i < headers.length; i++) {
                widths[i] = headers[i].length();
            }
        }
        for (String[] row : rows) {
            if (row != null) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
        }
        int total = 2 * (widths.length - 1);
        for (int width : widths) {
            total += width;
        }
        StringBuilder out = new StringBuilder();
        if (withHeader) {
            line(out, indent, headers, widths);
            out.append(indent).append("-".repeat(total)).append('\n');
        }
        for (String[] row : rows) {
            if (row == null) {
                out.append(indent).append("-".repeat(total)).append('\n');
            } else {
                line(out, indent, row, widths);
            }
        }
        return out.toString();
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
        for (String[] row : rows) {
            if (row != null) {
                markdownLine(out, row);
            }
        }
        return out.toString();
    }

    private void line(StringBuilder out, String indent, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            String pad = " ".repeat(widths[i] - cells[i].length());
            line.append(right[i] ? pad + cells[i] : cells[i] + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
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
