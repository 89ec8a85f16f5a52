package dev.tally.cli;

import dev.tally.load.ModelLoader;
import dev.tally.analysis.Analyzer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tally summary} for the command lines people type most (model files or folders and the common options)
 * parsed here instead of by picocli. picocli's classes are Java 5 bytecode, which neither the JDK 25 AOT cache
 * nor a CDS archive can hold, so building its command tree costs every start about 180 classes parsed and checked
 * by the old verifier, plus the reflection proxies and method handles it spins (issue 13's profile: 243 of 3,176
 * classes not archived, all but 4 of them picocli's doing). A command line this class does not fully understand
 * (another command, an option it does not take, a repeated option, a value or model that starts with '-' or '@',
 * {@code --help}) goes to picocli untouched, so every error message stays picocli's. {@code QuickSummaryTest} runs
 * both parsers on the same command lines and compares the commands they build and what they print.
 */
final class QuickSummary {
    /** How an option takes values, as picocli reads its field: a boolean, a single value, a list. */
    enum Kind { FLAG, ONE, MANY }

    /** The options of {@link SummaryCommand} taken here; any other option means picocli parses the line. */
    static final Map<String, Kind> OPTIONS = Map.of(
            "--input", Kind.MANY,
            "--frozen", Kind.MANY,
            "--convention", Kind.ONE,
            "--format", Kind.ONE,
            "--depth", Kind.ONE,
            "--out", Kind.ONE,
            "--receptive-field", Kind.FLAG,
            "--tree", Kind.FLAG,
            "--strict", Kind.FLAG);

    /** A command line taken here: the model paths and each option given, with its values in order. */
    record Parsed(List<Path> models, Map<String, List<String>> options) {
    }

    private QuickSummary() {
    }

    /**
     * {@code args} as a plain summary command line, or null when picocli must parse them: only then are the two
     * sure to agree on every value and every error.
     */
    static Parsed parse(String[] args) {
        if (args.length < 2 || !args[0].equals("summary") || picocliConfigured()) {
            return null;
        }
        List<Path> models = new ArrayList<>();
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                Path model = plainPath(arg);
                if (model == null) {
                    return null;
                }
                models.add(model);
                continue;
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            Kind kind = OPTIONS.get(name);
            if (kind == null || (kind != Kind.MANY && options.containsKey(name))) {
                return null;
            }
            String value = null;
            if (kind != Kind.FLAG) {
                value = equals >= 0 ? arg.substring(equals + 1) : ++i < args.length ? args[i] : null;
                if (!plainValue(name, value)) {
                    return null;
                }
            } else if (equals >= 0) {
                return null;
            }
            options.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return models.isEmpty() ? null : new Parsed(models, Map.copyOf(options));
    }

    /**
     * Runs a command line {@link #parse} took: the summary command set up as picocli would, and an exception it
     * throws reported as picocli's execute reports it through {@link ExitCodes}. Returns the exit code.
     */
    static int run(Parsed parsed, PrintWriter out, PrintWriter err) {
        SummaryCommand command = SummaryCommand.of(ModelLoader::load, new Analyzer(), parsed.models(),
                parsed.options(), out, err);
        try {
            return command.call();
        } catch (Exception e) {
            err.println(ExitCodes.messageOf(e));
            err.flush();
            return ExitCodes.of(e);
        }
    }

    /**
     * Standard output or error with the bytes picocli writes to them (its {@code CommandLine.newPrintWriter}: the
     * stream's encoding property, else the default charset), a long string encoded at once ({@link EncodingWriter}).
     */
    static PrintWriter writer(OutputStream stream, String encodingProperty) {
        String encoding = System.getProperty(encodingProperty);
        Charset charset = encoding == null ? Charset.defaultCharset()
                : Charset.forName("cp65001".equalsIgnoreCase(encoding) ? "UTF-8" : encoding);
        return new EncodedPrintWriter(new EncodingWriter(stream, charset));
    }

    /** A PrintWriter (auto-flushing) that also takes text encoded in its stream's charset ({@link EncodingWriter}). */
    private static final class EncodedPrintWriter extends PrintWriter implements dev.tally.report.EncodedOutput {
        private final EncodingWriter encoding;

        EncodedPrintWriter(EncodingWriter encoding) {
            super(encoding, true);
            this.encoding = encoding;
        }

        @Override
        public Charset charset() {
            return encoding.charset();
        }

        /** As PrintWriter's writes: a failure sets {@link #checkError()}, never throws. */
        @Override
        public void appendEncoded(byte[] bytes) {
            synchronized (lock) {
                try {
                    encoding.appendEncoded(bytes);
                } catch (java.io.IOException e) {
                    setError();
                }
            }
        }
    }

    /** A value picocli would take as it is: not empty, not option-like, convertible the same way here. */
    private static boolean plainValue(String name, String value) {
        if (value == null || value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
            return false;
        }
        return switch (name) {
            // Digits without a leading zero: Integer.valueOf and picocli's Integer.decode read them alike.
            case "--depth" -> value.matches("[1-9][0-9]{0,8}");
            case "--out" -> plainPath(value) != null;
            default -> true;
        };
    }

    /** The path as picocli's converter makes it ({@code Paths.get}), or null for one it would reject. */
    private static Path plainPath(String arg) {
        if (arg.isEmpty() || arg.startsWith("@")) {
            return null;
        }
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** picocli reads system properties (picocli.trace, picocli.ansi, ...) that could change what it prints. */
    private static boolean picocliConfigured() {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("picocli.")) {
                return true;
            }
        }
        return false;
    }
}
