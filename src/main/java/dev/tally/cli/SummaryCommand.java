package dev.tally.cli;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Optimizer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.report.Format;
import dev.tally.report.ModuleTree;
import dev.tally.report.Renderer;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.TableRenderer;
import dev.tally.report.batch.BatchRenderer;
import dev.tally.report.batch.BatchRow;
import dev.tally.report.batch.BatchRunner;
import dev.tally.report.explain.ExplainFormat;
import dev.tally.report.explain.Explainer;
import dev.tally.report.html.HtmlRenderer;
import dev.tally.verify.EngineCache;
import dev.tally.verify.VerificationRenderer;
import dev.tally.verify.VerificationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tally summary MODEL}: per-layer params, the chosen count and activation memory, then the totals. */
@Command(name = "summary", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "Prints params, MACs, FLOPs, ops and activation memory per layer and in total.")
final class SummaryCommand implements Callable<Integer> {
    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", arity = "1..*",
            description = "An ONNX (.onnx) or TorchScript (.pt) file, or a checkpoint (.pth, .safetensors) counted as the catalog architecture "
                    + "it matches; the format is read from the content. Several files or a folder (its .onnx, .pt, .pth and .safetensors "
                    + "files, recursively) give one row per model, analysed in parallel.")
    private List<Path> models = new ArrayList<>();

    @Option(names = "--input", paramLabel = "SPEC",
            description = "An input shape, 1x3x224x224 for a one-input model or name=1x3x224x224; repeat for each input.")
    private List<String> inputs = new ArrayList<>();

    @Option(names = "--convention", paramLabel = "NAME", defaultValue = "macs",
            description = "The count shown per layer: macs, flops or ops (default: ${DEFAULT-VALUE}); the totals show all three.")
    private String convention;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "table",
            description = "table, json, csv, markdown or html (default: ${DEFAULT-VALUE}); html groups layers by --depth itself past 60 rows.")
    private String format;

    @Option(names = "--depth", paramLabel = "N",
            description = "Fold layers into their parent module: layer1.0.conv1 at depth 2 is layer1.0.")
    private Integer depth;

    @Option(names = "--receptive-field",
            description = "Add the receptive field of each layer to the table: size and jump per spatial axis, and the input rows neuron i sees.")
    private boolean receptiveField;
    @Option(names = "--frozen", paramLabel = "PATTERN",
            description = "Count the parameters whose name matches PATTERN (a glob: * any characters, ? one) as frozen, for files that "
                    + "keep no requires_grad (ONNX); repeatable. TorchScript files say it themselves.")
    private List<String> frozen = new ArrayList<>();

    @Option(names = "--tree",
            description = "Print the modules as an indented tree, as torchinfo does: class name (TorchScript files record it), output shape, "
                    + "and params and MACs of each module with its submodules.")
    private boolean tree;

    @Option(names = "--strict", description = "An op without a rule is an error (exit 2) rather than a listed gap.")
    private boolean strict;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    private Path out;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "Whose state the training memory (at the input's batch) counts: sgd, momentum, adam or adamw (default: ${DEFAULT-VALUE}).")
    private String optimizer;

    @Option(names = "--verify", description = "Also run the model for real (DJL or ONNX Runtime) and cross-check shapes and params, as 'tally verify' does; exit 3 when a check fails.")
    private boolean verify;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "With --verify: where the engines' native libraries are unpacked (default: $" + EngineCache.ENV + ", else ~/.cache/tally).")
    private Path cache;

    /** Where the report and errors go when {@link QuickSummary} set the command up, picocli being absent. */
    private PrintWriter stdout;
    private PrintWriter stderr;

    SummaryCommand(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    /**
     * The command set up as picocli would for the command line {@link QuickSummary} parsed: the models, each
     * option's values in order, picocli's defaults for the rest. QuickSummaryTest compares every field with
     * picocli's for the same arguments.
     */
    static SummaryCommand of(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer, List<Path> models,
                             Map<String, List<String>> options, PrintWriter stdout, PrintWriter stderr) {
        SummaryCommand command = new SummaryCommand(loader, analyzer);
        command.models.addAll(models);
        command.convention = "macs";
        command.format = "table";
        command.optimizer = "adam";
        options.forEach((name, values) -> {
            String last = values.get(values.size() - 1);
            switch (name) {
                case "--input" -> command.inputs.addAll(values);
                case "--frozen" -> command.frozen.addAll(values);
                case "--convention" -> command.convention = last;
                case "--format" -> command.format = last;
                case "--depth" -> command.depth = Integer.valueOf(last);
                case "--out" -> command.out = Path.of(last);
                case "--receptive-field" -> command.receptiveField = true;
                case "--tree" -> command.tree = true;
                case "--strict" -> command.strict = true;
                default -> throw new IllegalArgumentException("summary has no option " + name + " for QuickSummary to set.");
            }
        });
        command.stdout = stdout;
        command.stderr = stderr;
        return command;
    }

    @Override
    public Integer call() {
        // Options first, so a typo is reported before a large model is read.
        Optimizer.parse(optimizer);
        Convention chosen = Convention.parse(convention);
        Format renderer = Format.parse(format);
        Map<String, Shape> shapes = InputShapes.parseOverrides(inputs);
        FrozenPatterns frozenPatterns = FrozenPatterns.parse(frozen);
        if (depth != null && depth < 1) {
            throw new UsageException("--depth must be 1 or more, not " + depth + ".");
        }
        if (tree && (renderer != Format.TABLE || depth != null || verify)) {
            throw new UsageException("--tree prints its own text view of the whole tree; leave out --format, --depth and --verify with it.");
        }
        if (models.size() > 1 || Files.isDirectory(models.get(0))) {
            if (tree) {
                throw new UsageException("--tree shows one model's modules; give one file.");
            }
            if (depth != null) {
                throw new UsageException("--depth folds one model's layers, but a batch shows one row per model; give one file, or leave --depth out.");
            }
            if (verify) {
                throw new UsageException("--verify runs one model; give one file, or run 'tally verify' per model.");
            }
            return batch(renderer, shapes, frozenPatterns);
        }
        Analysis analysis = analyzer.analyze(frozenPatterns.apply(loader.apply(models.get(0), shapes)), shapes, strict);
        if (tree) {
            write(ModuleTree.of(analysis).render());
            return ExitCodes.OK;
        }
        int folding = depth != null ? depth
                : renderer == Format.HTML ? HtmlRenderer.chooseDepth(d -> SummaryBuilder.build(analysis, d).layers().size())
                : 0;
        Summary summary = SummaryBuilder.build(analysis, folding, Optimizer.parse(optimizer)).check();
        // The HTML report shows a layer's derivation when its row is clicked.
        Map<String, String> derivations = renderer != Format.HTML ? Map.of()
                : ExplainFormat.textByLayer(new Explainer(analyzer.rules()).explain(analysis, List.of(), chosen));
        if (!verify) {
            if (renderer == Format.HTML) {
                write(new HtmlRenderer().withDerivations(derivations).render(summary, chosen));
            } else {
                Renderer text = renderer == Format.TABLE && receptiveField ? new TableRenderer(true) : renderer.renderer();
                write(sink -> text.write(summary, chosen, sink));
            }
            return ExitCodes.OK;
        }
        VerificationReport report = VerifyCommand.run(analysis, cache, err());
        write(withVerification(summary, renderer, chosen, report, derivations));
        return report.passed() ? ExitCodes.OK : ExitCodes.VERIFICATION_FAILED;
    }

    /** The summary in {@code format} with the verification's checks: in the page, in the JSON, or after the text. */
    private static String withVerification(Summary summary, Format format, Convention chosen, VerificationReport report,
                                           Map<String, String> derivations) {
        return switch (format) {
            case HTML -> new HtmlRenderer(report.checks().stream()
                    .map(c -> new HtmlRenderer.VerificationLine(c.check(), c.expected(), c.actual(), c.pass()))
                    .toList()).withDerivations(derivations).render(summary, chosen);
            case JSON -> JsonMerge.withField(format.renderer().render(summary, chosen), "verification",
                    VerificationRenderer.json(report));
            case TABLE, MARKDOWN, CSV -> format.renderer().render(summary, chosen) + "\n" + VerificationRenderer.table(report);
        };
    }

    /** One row per model; a bad file's row says why and makes the exit code 2 once every file is done. */
    private Integer batch(Format renderer, Map<String, Shape> shapes, FrozenPatterns frozenPatterns) {
        List<Path> files = BatchRunner.collect(models);
        if (files.isEmpty()) {
            throw new UsageException("No .onnx, .pt, .pth or .safetensors file under " + models.get(0) + "; give model files or a folder that has some.");
        }
        // A progress bar only on a terminal: in CI logs its carriage returns are noise.
        PrintWriter progress = System.console() != null ? err() : null;
        Optimizer chosenOptimizer = Optimizer.parse(optimizer);
        List<BatchRow> rows = new BatchRunner(file -> SummaryBuilder.build(
                        analyzer.analyze(frozenPatterns.apply(loader.apply(file, shapes)), shapes, strict), 0, chosenOptimizer).check())
                .run(files, progress);
        write(BatchRenderer.render(rows, renderer));
        PrintWriter err = err();
        rows.forEach(row -> row.error().ifPresent(err::println));
        err.flush();
        if (rows.stream().anyMatch(BatchRow::bug)) {
            return ExitCodes.INTERNAL_ERROR;
        }
        return rows.stream().anyMatch(row -> row.error().isPresent()) ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    }

    private void write(String text) {
        write(sink -> sink.append(text));
    }

    /** What writes a report into a sink, piece by piece. */
    private interface Report {
        void writeTo(Writer sink) throws IOException;
    }

    /**
     * Writes the report to stdout or {@code --out} as it is made: a million-layer table is never one string
     * (issue 14's one-million-node chain).
     */
    private void write(Report report) {
        if (out == null) {
            PrintWriter writer = spec != null ? spec.commandLine().getOut() : stdout;
            try {
                report.writeTo(writer);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // a PrintWriter throws none
            }
            writer.flush();
        } else {
            try (Writer file = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                report.writeTo(file);
            } catch (IOException e) {
                throw new UsageException("Cannot write the report to " + out + "; check that its folder exists and is writable.");
            }
        }
    }

    private PrintWriter err() {
        return spec != null ? spec.commandLine().getErr() : stderr;
    }
}
