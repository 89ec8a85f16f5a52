package dev.tally.report.html;

/** A string builder that escapes text and passes markup through, so no model-supplied name can inject markup. */
public final class Html {
    private final StringBuilder out = new StringBuilder(1 << 16);

    public Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Appends {@code text} escaped for element content and attribute values alike. */
    public Html text(String text) {
        out.append(escape(text));
        return this;
    }

    public static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
