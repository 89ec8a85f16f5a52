package dev.tally.cli;

import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.catalog.CatalogRenderer;
import dev.tally.catalog.CatalogTable;
import dev.tally.catalog.MemoryFigures;
import dev.tally.catalog.WeightsCatalog;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.report.Format;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tally catalog}: every torchvision weights entry with its published metrics, exact cost and the Pareto front. */
@Command(name = "catalog", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {
            "Lists every torchvision weights entry (ResNet50_Weights.IMAGENET1K_V1 and _V2 are two rows) with its published "
                    + "metrics, params, MACs, FLOPs and weight size counted by Tally, and marks the Pareto front.",
            "",
            "Example: tally catalog --where \"acc1>=80 and macs<=5G\" --sort acc1",
            "         tally catalog --memory 12GiB --where \"fitBatch>=64\" --sort acc1",
            ""
        })
final class CatalogCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private CatalogOptions options;

    @Option(names = "--input", paramLabel = "SPEC", description = "Count every row at this input (1x3x160x160) instead of its evaluation input; "
            + "optical flow's two frames each take it.")
    private String input;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "table",
            description = "table, json, csv, markdown or html (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    private Path out;

    @Override
    public Integer call() {
        Format renderer = Format.parse(format);
        WeightsCatalog catalog = WeightsCatalog.standard();
        CatalogTable table = CatalogTable.build(catalog, options.task, shape(input), options.sort, options.where, new Analyzer(),
                MemoryFigures.STANDARD, options.budget(), List.of());
        write(spec, out, CatalogRenderer.render(table, renderer, catalog.torchvision()));
        return ExitCodes.OK;
    }

    static Optional<Shape> shape(String input) {
        if (input == null) {
            return Optional.empty();
        }
        if (input.contains("=")) {
            throw new UsageException("--input names no input here: it is one shape for every row (optical flow's two frames both take it); write it as 1x3x160x160.");
        }
        return Optional.of(InputShapes.parseShape(input));
    }

    static void write(CommandLine.Model.CommandSpec spec, Path out, String text) {
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
    }
}
