package dev.tally.cli;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.report.Format;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tally summary MODEL}: per-layer params, the chosen count and activation memory, then the totals. */
@Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints params, MACs, FLOPs, ops and activation memory per layer and in total.")
final class SummaryCommand implements Callable<Integer> {
    private final Function<Path, Model> loader;
    private final Analyzer analyzer;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An ONNX (.onnx) or TorchScript (.pt) file; the format is read from the content.")
    private Path model;

    @Option(names = "--input", paramLabel = "SPEC",
            description = "An input shape, 1x3x224x224 for a one-input model or name=1x3x224x224; repeat for each input.")
    private List<String> inputs = new ArrayList<>();

    @Option(names = "--convention", paramLabel = "NAME", defaultValue = "macs",
            description = "The count shown per layer: macs, flops or ops (default: ${DEFAULT-VALUE}); the totals show all three.")
    private String convention;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "table",
            description = "table, json, csv or markdown (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--depth", paramLabel = "N",
            description = "Fold layers into their parent module: layer1.0.conv1 at depth 2 is layer1.0.")
    private Integer depth;

    @Option(names = "--strict", description = "An op without a rule is an error (exit 2) rather than a listed gap.")
    private boolean strict;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    private Path out;

    SummaryCommand(Function<Path, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    @Override
    public Integer call() {
        // Options first, so a typo is reported before a large model is read.
        Convention chosen = Convention.parse(convention);
        Format renderer = Format.parse(format);
        Map<String, Shape> shapes = InputShapes.parseOverrides(inputs);
        if (depth != null && depth < 1) {
            throw new UsageException("--depth must be 1 or more, not " + depth + ".");
        }
        Analysis analysis = analyzer.analyze(loader.apply(model), shapes, strict);
        Summary summary = SummaryBuilder.build(analysis, depth == null ? 0 : depth).check();
        String text = renderer.renderer().render(summary, chosen);
        if (out == null) {
            PrintWriter writer = spec.commandLine().getOut();
            writer.print(text);
            writer.flush();
        } else {
            try {
                Files.writeString(out, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException("Cannot write the report to " + out + "; check that its folder exists and is writable.");
            }
        }
        return ExitCodes.OK;
    }
}
