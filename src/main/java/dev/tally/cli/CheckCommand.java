package dev.tally.cli;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.budget.Baseline;
import dev.tally.analysis.Optimizer;
import dev.tally.budget.BatchFit;
import dev.tally.budget.BudgetChecker;
import dev.tally.budget.FitGate;
import dev.tally.budget.BudgetFile;
import dev.tally.budget.CheckRenderer;
import dev.tally.budget.CheckReport;
import dev.tally.budget.Figure;
import dev.tally.budget.GrowthLimit;
import dev.tally.budget.GrowthLimits;
import dev.tally.report.Units;
import dev.tally.budget.JUnitXml;
import dev.tally.budget.Limit;
import dev.tally.budget.ModelBudget;
import dev.tally.budget.ModelCheck;
import dev.tally.ir.Model;
import dev.tally.ir.UsageException;
import dev.tally.report.Format;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tally check}: fails a CI job (exit 1) when a model is over its budget. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {
            "Checks models against limits: exit 0 within every limit, 1 when any is exceeded, 2 for bad input.",
            "",
            "Units: " + Units.COUNT_HELP + "; " + Units.BYTES_HELP + "; a plain number is the exact count or bytes.",
            "",
            "Examples:",
            "  tally check model.onnx --max-params 62M --max-macs 0.8G --max-activation 60MB",
            "  tally check --budget budgets.yaml",
            "  tally check model.onnx --baseline reports/model.json --max-growth 2%%",
            "  tally check model.onnx --input 1x3x224x224 --fit-batch 256 --memory 16GiB --by peak",
            "  tally check model.onnx --input 1x3x224x224 --fit-batch 64 --memory 16GiB --mode training --optimizer adam",
            ""
        },
        footer = {
            "",
            "A budget file (YAML or JSON) lists models, their inputs and limits; paths and globs are relative to it:",
            "  defaults: {input: 1x3x224x224}",
            "  models:",
            "    - path: exports/alexnet.onnx",
            "      limits: {params: 62M, macs: 0.8G, activation: 60MB}",
            "    - path: exports/resnet*.onnx",
            "      baseline: reports/resnet.json",
            "      max-growth: {params: 0%%, macs: 2%%}",
            "Limit keys: params, buffers, weight-bytes, macs, flops, ops, activation, file-size.",
            "Fit gate keys (beside 'limits', in an entry or 'defaults'): fit-batch: 256, memory: 16GiB, fit-by: peak|largest,",
            "  fit-mode: inference|training, optimizer: sgd|momentum|adam|adamw."
        })
final class CheckCommand implements Callable<Integer> {
    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", arity = "0..*", description = "Model files (ONNX or TorchScript) checked against the --max-* limits.")
    private List<Path> models = new ArrayList<>();

    @Option(names = "--max-params", paramLabel = "N", description = "Trainable parameters, e.g. 62M.")
    private String maxParams;

    @Option(names = "--max-buffers", paramLabel = "N", description = "Buffer elements (BatchNorm statistics).")
    private String maxBuffers;

    @Option(names = "--max-weight-bytes", paramLabel = "SIZE", description = "Bytes of params and buffers, e.g. 250MB or 240MiB.")
    private String maxWeightBytes;

    @Option(names = "--max-macs", paramLabel = "N", description = "Multiply-accumulates, e.g. 0.8G.")
    private String maxMacs;

    @Option(names = "--max-flops", paramLabel = "N", description = "Floating-point operations (2 x MACs).")
    private String maxFlops;

    @Option(names = "--max-ops", paramLabel = "N", description = "Elementary operations (the worksheet convention).")
    private String maxOps;

    @Option(names = "--max-activation", paramLabel = "SIZE", description = "Activation memory: bytes of every output computed, e.g. 60MB.")
    private String maxActivation;

    @Option(names = "--max-file-size", paramLabel = "SIZE", description = "Size of the model file, e.g. 1.5GiB.")
    private String maxFileSize;

    @Option(names = "--fit-batch", paramLabel = "N",
            description = "A batch that must fit in --memory, as 'tally fit' computes it (the shape pass re-run at that batch).")
    private Long fitBatch;

    @CommandLine.Mixin
    private MemoryOptions memory = new MemoryOptions();

    @Option(names = "--input", paramLabel = "SPEC", description = "An input shape for the models on the command line: 1x3x224x224 or name=1x3x224x224.")
    private List<String> inputs = new ArrayList<>();

    @Option(names = "--budget", paramLabel = "FILE", description = "A budget file (YAML or JSON) of models, inputs and limits.")
    private Path budget;

    @Option(names = "--baseline", paramLabel = "FILE", description = "An earlier 'tally summary --format json' of the one model given.")
    private Path baseline;

    @Option(names = "--max-growth", paramLabel = "PERCENT",
            description = "Largest growth over --baseline: 2%% for every figure, or FIGURE=PERCENT (params=0%%); repeatable.")
    private List<String> maxGrowth = new ArrayList<>();

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report: one test case per model and limit.")
    private Path junit;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "table",
            description = "table, markdown (for a pull-request comment), json or csv (default: ${DEFAULT-VALUE}).")
    private String format;

    CheckCommand(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    @Override
    public Integer call() {
        Format renderer = Format.parse(format);
        List<ModelBudget> budgets = new ArrayList<>(commandLineBudgets());
        if (budget != null) {
            budgets.addAll(BudgetFile.read(budget));
        }
        if (budgets.isEmpty()) {
            throw new UsageException("Nothing to check: give model files with --max-* limits, or --budget FILE.");
        }
        CheckReport report = new BudgetChecker(this::analyze, this::fitMemory).check(budgets);
        PrintWriter out = spec.commandLine().getOut();
        out.print(CheckRenderer.render(report, renderer));
        out.flush();
        if (junit != null) {
            JUnitXml.write(report, junit);
        }
        PrintWriter err = spec.commandLine().getErr();
        for (ModelCheck model : report.models()) {
            model.error().ifPresent(err::println);
        }
        err.flush();
        return report.exitCode();
    }

    /** One model's summary with its budget's inputs; {@link BudgetGate} checks with it too. */
    Summary analyze(ModelBudget budget) {
        Map<String, Shape> shapes = InputShapes.parseOverrides(budget.inputs());
        Analysis analysis = analyzer.analyze(loader.apply(budget.file(), shapes), shapes, false);
        return SummaryBuilder.build(analysis).check();
    }

    long fitMemory(ModelBudget budget, FitGate gate) {
        return new BatchFit(loader, analyzer, gate.optimizer())
                .bytesAt(budget.file(), InputShapes.parseOverrides(budget.inputs()), gate.batch(), gate.by());
    }

    /** The fit gate of --fit-batch, --memory, --by, --mode, --optimizer; empty when none of them is given. */
    private Optional<FitGate> fitGate() {
        FitGate.Choice choice = memory.choice();
        if (fitBatch == null && !memory.given()) {
            return Optional.empty();
        }
        if (fitBatch == null || memory.memory == null) {
            throw new UsageException("--fit-batch and --memory go together: e.g. --fit-batch 256 --memory 16GiB.");
        }
        if (fitBatch < 1) {
            throw new UsageException("--fit-batch " + fitBatch + " is not a batch size; give a whole number of at least 1.");
        }
        return Optional.of(new FitGate(fitBatch, memory.bytes(), memory.memory.strip(), choice.by(), choice.optimizer()));
    }

    /** The models given as arguments, each with the --max-* limits and growth limits. */
    private List<ModelBudget> commandLineBudgets() {
        Map<Figure, String> given = new LinkedHashMap<>();
        given.put(Figure.PARAMS, maxParams);
        given.put(Figure.BUFFERS, maxBuffers);
        given.put(Figure.WEIGHT_BYTES, maxWeightBytes);
        given.put(Figure.MACS, maxMacs);
        given.put(Figure.FLOPS, maxFlops);
        given.put(Figure.OPS, maxOps);
        given.put(Figure.ACTIVATION, maxActivation);
        given.put(Figure.FILE_SIZE, maxFileSize);
        List<Limit> limits = new ArrayList<>();
        for (Map.Entry<Figure, String> entry : given.entrySet()) {
            if (entry.getValue() != null) {
                try {
                    limits.add(Limit.parse(entry.getKey(), entry.getValue()));
                } catch (Units.UnitFormatException e) {
                    throw new UsageException("--max-" + entry.getKey().displayName() + " " + e.getMessage() + ".");
                }
            }
        }
        List<GrowthLimit> growth = GrowthLimits.parse(maxGrowth);
        Optional<FitGate> fit = fitGate();
        if (models.isEmpty()) {
            if (!limits.isEmpty() || !growth.isEmpty() || baseline != null || !inputs.isEmpty() || fit.isPresent()) {
                throw new UsageException("--max-*, --baseline and --input apply to model files on the command line, and none was given;"
                        + " put limits for the models of a budget file in the file.");
            }
            return List.of();
        }
        if (!growth.isEmpty() && baseline == null) {
            throw new UsageException("--max-growth needs --baseline FILE, an earlier 'tally summary --format json' of the model.");
        }
        if (baseline != null && growth.isEmpty()) {
            throw new UsageException("--baseline needs --max-growth, e.g. --max-growth 2%.");
        }
        if (baseline != null && models.size() > 1) {
            throw new UsageException("--baseline is the summary of one model, but " + models.size()
                    + " models were given; use a budget file with one baseline per model.");
        }
        if (limits.isEmpty() && growth.isEmpty() && fit.isEmpty()) {
            throw new UsageException("No limit given: add at least one --max-* option (see 'tally check --help').");
        }
        InputShapes.parseOverrides(inputs);
        Optional<Baseline> earlier = baseline == null ? Optional.empty() : Optional.of(Baseline.read(baseline));
        List<ModelBudget> budgets = new ArrayList<>();
        for (Path model : models) {
            budgets.add(new ModelBudget(model, model.toString(), inputs, limits, growth, earlier, fit));
        }
        return budgets;
    }
}
