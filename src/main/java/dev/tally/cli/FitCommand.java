package dev.tally.cli;

import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Optimizer;
import dev.tally.budget.FitGate;
import dev.tally.ir.UsageException;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.ResolvedInput;
import dev.tally.budget.BatchFit;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.report.TextTable;
import dev.tally.report.Units;
import java.io.PrintWriter;
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

/** {@code tally fit MODEL --memory 12GiB}: the largest batch whose memory fits. */
@Command(name = "fit", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {
            "Finds the largest batch size whose memory fits: exit 0 with the answer, 1 when not even batch 1 fits, 2 for bad input.",
            "The shape pass runs again at every batch tried (exact shapes, never scaled from batch 1)."
        })
final class FitCommand implements Callable<Integer> {
    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An ONNX (.onnx) or TorchScript (.pt) file.")
    private Path model;

    @CommandLine.Mixin
    private MemoryOptions memory = new MemoryOptions();

    @Option(names = "--input", paramLabel = "SPEC",
            description = "An input shape whose first axis is the batch: 1x3x224x224 or name=1x3x224x224; needed when the "
                    + "file declares no symbolic batch, and for TorchScript.")
    private List<String> inputs = new ArrayList<>();

    FitCommand(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    @Override
    public Integer call() {
        if (memory.memory == null) {
            throw new UsageException("tally fit needs --memory, the memory the batch must fit in: e.g. --memory 12GiB.");
        }
        long limit = memory.bytes();
        FitGate.Choice choice = memory.choice();
        BatchFit.By figure = choice.by();
        Optimizer chosen = choice.optimizer();
        Map<String, Shape> shapes = InputShapes.parseOverrides(inputs);
        BatchFit.Result result = new BatchFit(loader, analyzer, chosen).fit(model, shapes, limit, figure);
        PrintWriter out = spec.commandLine().getOut();
        out.print(render(model, result, chosen));
        out.flush();
        return result.fits() ? ExitCodes.OK : ExitCodes.BUDGET_EXCEEDED;
    }

    static String render(Path model, BatchFit.Result result) {
        return render(model, result, Optimizer.ADAM);
    }

    static String render(Path model, BatchFit.Result result, Optimizer optimizer) {
        StringBuilder text = new StringBuilder();
        text.append("Model:  ").append(model).append('\n');
        text.append("Memory: ").append(size(result.limit())).append(", by ").append(result.by().description())
                .append(result.by() == BatchFit.By.TRAINING ? " with " + optimizer.displayName() : "").append('\n');
        if (!result.fits()) {
            text.append("Not even batch 1 fits: it needs ").append(size(result.at().bytes())).append(".\n");
            return text.toString();
        }
        for (ResolvedInput input : result.inputs()) {
            text.append("Input:  ").append(input.name()).append(' ').append(input.shape()).append(' ')
                    .append(input.dtype().displayName()).append('\n');
        }
        text.append('\n').append("Largest batch that fits: ").append(result.batch()).append('\n');
        text.append("  batch ").append(result.batch()).append(": ").append(size(result.at().bytes())).append('\n');
        result.next().ifPresent(next -> text.append("  batch ").append(next.batch()).append(": ")
                .append(size(next.bytes())).append(" (does not fit)\n"));
        if (result.next().isEmpty()) {
            text.append("  (the search stops at batch ").append(BatchFit.MAX_BATCH).append(", which still fits)\n");
        }
        dev.tally.budget.FitDerivation.of(result).ifPresent(derivation -> text.append("\nWhy:\n")
                .append(dev.tally.report.explain.ExplainFormat.text(derivation, "  ")));
        text.append('\n');
        TextTable table = new TextTable("batch", "memory", "");
        table.alignRight(0);
        table.alignRight(1);
        for (BatchFit.Point point : result.table()) {
            table.row(Long.toString(point.batch()), Units.exact(point.bytes()) + " B", "(" + Units.bytes(point.bytes()) + ")");
        }
        text.append(table.renderText());
        text.append("\nMemory: ").append(switch (result.by()) {
            case PEAK -> "params and buffers plus the most activation bytes live at once in inference (docs/conventions.md).";
            case LARGEST -> "the largest single activation, as the network-bottleneck convention has it (docs/conventions.md).";
            case TRAINING -> "one training step with " + optimizer.displayName() + ": params, gradients, optimizer state and the larger"
                    + " of (saved activations + backward transient) and the optimizer step's temporaries (docs/conventions.md).";
        })
                .append(" 1 KiB = 1024 B.\n");
        return text.toString();
    }

    private static String size(long bytes) {
        return Units.exact(bytes) + " B (" + Units.bytes(bytes) + ")";
    }
}
