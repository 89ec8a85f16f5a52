package dev.tally.cli;

import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.Optimizer;
import dev.tally.budget.BatchFit;
import dev.tally.catalog.CatalogRenderer;
import dev.tally.catalog.CatalogRow;
import dev.tally.catalog.CatalogTable;
import dev.tally.catalog.MemoryFigures;
import dev.tally.catalog.WeightsCatalog;
import dev.tally.catalog.WeightsEntry;
import dev.tally.catalog.YourModel;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.load.ModelLoader;
import dev.tally.load.checkpoint.CheckpointLoader;
import dev.tally.report.Format;
import dev.tally.report.JsonSummaryReader;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.compare.ComparisonBuilder;
import dev.tally.report.compare.ComparisonRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tally compare A B C}: variants side by side, with differences against the first. */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {
            "Shows the totals of two or more models side by side with their differences (absolute and percent) "
                    + "against the first, then params, MACs and activation memory per stage aligned by module path.",
            "",
            "Example: tally compare vgg16.onnx vgg16_bn.onnx vgg19.onnx --depth 2",
            "With --catalog, one model is placed among torchvision's weights entries (see 'tally catalog'), marked, "
                    + "with its nearest entries by MACs: tally compare finetuned.pth --catalog",
            ""
        })
final class CompareCommand implements Callable<Integer> {
    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", arity = "1..*",
            description = "Two or more model files, or earlier 'tally summary --format json' reports; the first is the reference.")
    private List<Path> models = new ArrayList<>();

    @Option(names = "--input", paramLabel = "SPEC", description = "An input shape for every model: 1x3x224x224 or name=1x3x224x224.")
    private List<String> inputs = new ArrayList<>();

    @Option(names = "--depth", paramLabel = "N", defaultValue = "1",
            description = "Components of the module path that name a stage: 1 for top-level modules (default), 2 for features.0.")
    private int depth;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "Whose state the training memory counts, as in 'tally summary': sgd, momentum, adam (default) or adamw.")
    private String optimizer;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "table",
            description = "table, json, csv, markdown or html (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    private Path out;

    @Option(names = "--catalog", description = "Place one model among torchvision's weights entries instead of comparing models.")
    private boolean catalog;

    @CommandLine.Mixin
    private CatalogOptions options;

    @Option(names = "--accuracy", paramLabel = "VALUE", description = "With --catalog: your model's measured accuracy in the task's metric (acc@1 for classification), to plot it.")
    private java.math.BigDecimal accuracy;

    CompareCommand(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    @Override
    public Integer call() {
        Format renderer = Format.parse(format);
        Optimizer chosen = Optimizer.parse(optimizer);
        if (depth < 1) {
            throw new UsageException("--depth must be 1 or more, not " + depth + ".");
        }
        Map<String, Shape> shapes = InputShapes.parseOverrides(inputs);
        if (catalog) {
            return placeInCatalog(renderer, shapes);
        }
        if (models.size() < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "compare needs two or more models, or one model with --catalog");
        }
        List<Summary> summaries = new ArrayList<>();
        for (Path model : models) {
            summaries.add(isJsonReport(model) ? JsonSummaryReader.read(model)
                    : SummaryBuilder.build(analyzer.analyze(loader.apply(model, shapes), shapes, false), 0, chosen).check());
        }
        String text = ComparisonRenderer.render(ComparisonBuilder.build(summaries, depth), renderer);
        CatalogCommand.write(spec, out, text);
        return ExitCodes.OK;
    }

    /** {@code compare MODEL --catalog}: the model counted like any file (a checkpoint through its architecture match). */
    private Integer placeInCatalog(Format renderer, Map<String, Shape> shapes) {
        if (models.size() != 1) {
            throw new UsageException("--catalog places one model among torchvision's weights; give one file, not " + models.size() + ".");
        }
        Path model = models.get(0);
        MemoryFigures.Budget budget = options.budget();
        String task = options.task;
        WeightsCatalog weights = WeightsCatalog.standard();
        String metric = weights.entries().stream().filter(e -> e.task().equals(task)).map(WeightsEntry::accuracyMetric)
                .flatMap(java.util.Optional::stream).findFirst().orElse(null);
        List<CatalogRow> yours = new ArrayList<>();
        if (isJsonReport(model)) {
            Summary summary = JsonSummaryReader.read(model);
            MemoryFigures.Memory yourMemory = new MemoryFigures.Memory(summary.totals().peakActivationBytes(), null,
                    budget == null ? "" : "no fitBatch: a JSON report has no graph to count at other batches; give the model file");
            yours.add(YourModel.row(model.getFileName().toString(), summary, task, metric, accuracy, yourMemory));
        } else {
            String file = model.getFileName().toString();
            // A checkpoint whose keys and shapes several builders share (Faster R-CNN MobileNet at 800 and its _320 model) is
            // placed as each: the graphs differ, so do the costs.
            List<String> alike = ModelLoader.detect(model) == ModelLoader.Kind.CHECKPOINT ? new CheckpointLoader().exactMatches(model) : List.of();
            if (alike.size() > 1) {
                for (String candidate : alike) {
                    yours.add(yourRow(file + " as " + candidate, model, (p, s) -> new CheckpointLoader().load(p, s, candidate), shapes, budget, metric));
                }
            } else {
                yours.add(yourRow(file, model, loader, shapes, budget, metric));
            }
        }
        CatalogTable table = CatalogTable.build(weights, task, java.util.Optional.empty(), options.sort, options.where, analyzer,
                MemoryFigures.STANDARD, budget, yours);
        CatalogCommand.write(spec, out, CatalogRenderer.render(table, renderer, weights.torchvision()));
        return ExitCodes.OK;
    }

    /** The model's row, counted with {@code load} like any file, with its fitBatch under {@code --memory} (as tally fit finds it). */
    private CatalogRow yourRow(String name, Path model, BiFunction<Path, Map<String, Shape>, Model> load, Map<String, Shape> shapes,
                               MemoryFigures.Budget budget, String metric) {
        String task = options.task;
        Summary summary = SummaryBuilder.build(analyzer.analyze(load.apply(model, shapes), shapes, false), 0, Optimizer.parse(optimizer)).check();
        if (ModelLoader.detect(model) == ModelLoader.Kind.CHECKPOINT && new CheckpointLoader().quantized(model)) {
            // As the catalog's quantized rows: the float graph's float32 activations are not the quantized model's quint8 ones.
            return YourModel.rowWithoutMemory(name, summary, task, metric, accuracy,
                    "a quantized checkpoint counted on its float model's graph: no memory figure, the float graph's activations are float32,"
                            + " the quantized model's one-byte quint8");
        }
        MemoryFigures.Memory yourMemory = new MemoryFigures.Memory(summary.totals().peakActivationBytes(), null, "");
        if (budget != null) {
            yourMemory = MemoryFigures.fit(yourMemory, new BatchFit(load, analyzer), model, shapes, budget);
        }
        return YourModel.row(name, summary, task, metric, accuracy, yourMemory);
    }

    /** Whether {@code file} is a JSON report (it starts with '{'), judged by content as model files are. */
    private static boolean isJsonReport(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            int c;
            do {
                c = in.read();
            } while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
            return c == '{';
        } catch (IOException e) {
            // Not readable here: the model loader gives the one-sentence message.
            return false;
        }
    }
}
