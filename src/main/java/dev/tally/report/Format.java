package dev.tally.report;

import dev.tally.ir.UsageException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The output formats of a summary, by the name {@code --format} takes, each with its renderer. */
public enum Format {
    TABLE("table"),
    JSON("json"),
    CSV("csv"),
    MARKDOWN("markdown");

    private final String displayName;

    Format(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    public Renderer renderer() {
        return switch (this) {
            case TABLE -> new TableRenderer();
            case JSON -> new JsonRenderer();
            case CSV -> new CsvRenderer();
            case MARKDOWN -> new MarkdownRenderer();
        };
    }

    public static Format parse(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Format format : values()) {
            if (format.displayName.equals(wanted)) {
                return format;
            }
        }
        String valid = Arrays.stream(values()).map(Format::displayName).collect(Collectors.joining(", "));
        throw new UsageException("Unknown format '" + name + "'. Use one of: " + valid + ".");
    }
}
