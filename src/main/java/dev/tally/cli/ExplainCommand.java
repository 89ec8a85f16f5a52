package dev.tally.cli;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.report.explain.ExplainFormat;
import dev.tally.report.explain.Explainer;
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

/** {@code tally explain MODEL [LAYER...]}: every figure of the chosen layers derived step by step, then the totals. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "Shows how each layer's output size, params, count and activation bytes follow from its own numbers.")
public final class ExplainCommand implements Callable<Integer> {
    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX (.onnx) or TorchScript (.pt) file.")
    private Path model;

    @Parameters(index = "1..*", paramLabel = "LAYER",
            description = "Layers to explain, by name (features.0) or glob (features.*); all when none is given.")
    private List<String> layers = new ArrayList<>();

    @Option(names = "--input", paramLabel = "SPEC",
            description = "An input shape, 1x3x224x224 for a one-input model or name=1x3x224x224; repeat for each input.")
    private List<String> inputs = new ArrayList<>();

    @Option(names = "--convention", paramLabel = "NAME", defaultValue = "macs",
            description = "The count derived per layer: macs, flops or ops (default: ${DEFAULT-VALUE}).")
    private String convention;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "text",
            description = "text, markdown (LaTeX math in $$...$$), latex (a fragment for a document) or json (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--receptive-field", description = "Also derive each layer's receptive field from the layer below, per spatial axis.")
    private boolean receptiveField;

    /** The command with the standard loader and rules, as {@code tally explain} runs it. */
    public ExplainCommand() {
        this(ModelLoader::load, new Analyzer());
    }

    ExplainCommand(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    @Override
    public Integer call() {
        Convention chosen = Convention.parse(convention);
        ExplainFormat renderer = ExplainFormat.parse(format);
        Map<String, Shape> shapes = InputShapes.parseOverrides(inputs);
        Analysis analysis = analyzer.analyze(loader.apply(model, shapes), shapes, false);
        String text = renderer.render(new Explainer(analyzer.rules()).explain(analysis, layers, chosen, receptiveField));
        PrintWriter out = spec.commandLine().getOut();
        out.print(text);
        out.flush();
        return ExitCodes.OK;
    }
}
