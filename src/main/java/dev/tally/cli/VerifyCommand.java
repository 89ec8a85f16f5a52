package dev.tally.cli;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.Model;
import dev.tally.ir.UsageException;
import dev.tally.load.ModelLoader;
import dev.tally.verify.EngineCache;
import dev.tally.verify.VerificationRenderer;
import dev.tally.verify.VerificationReport;
import dev.tally.verify.Verifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.Map;
import java.util.function.BiFunction;
import dev.tally.ir.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally verify MODEL}: runs the model for real (TorchScript in DJL's PyTorch engine, ONNX in ONNX Runtime)
 * and cross-checks the static analysis. Exit 0 when every check passes, 3 when any fails; bad input throws the
 * exceptions the main command maps to 2.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Runs the model on a seeded random input and checks output shapes, every intermediate shape (ONNX) and the param tally against the static analysis.")
public final class VerifyCommand implements Callable<Integer> {
    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A TorchScript (.pt) or ONNX (.onnx) file.")
    Path model;

    @Option(names = "--input", paramLabel = "[NAME=]SHAPE",
            description = "Input shape, e.g. 1x3x224x224 or input=1x3x224x224; repeat for several inputs.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where the engines' native libraries are unpacked (default: $" + EngineCache.ENV + ", else ~/.cache/tally).")
    Path cache;

    public VerifyCommand() {
        this(ModelLoader::load, new Analyzer());
    }

    /** Runs the real engines on the analysed model, with their messages (first-run extraction) on {@code err}. */
    static VerificationReport run(Analysis analysis, Path cache, PrintWriter err) {
        EngineCache engines = new EngineCache(EngineCache.resolve(cache), line -> {
            err.println(line);
            err.flush();
        });
        return new Verifier(engines).verify(analysis);
    }

    /** With another loader or rule table, as {@code Main.commandLine(loader, analyzer)} builds its commands. */
    public VerifyCommand(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this.loader = loader;
        this.analyzer = analyzer;
    }

    @Override
    public Integer call() {
        if (!format.equals("table") && !format.equals("json")) {
            throw new UsageException("Unknown format '" + format + "'. Use one of: table, json.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Shape> shapes = InputShapes.parseOverrides(inputs);
        Analysis analysis = analyzer.analyze(loader.apply(model, shapes), shapes, false);
        VerificationReport report = run(analysis, cache, err);
        out.print(format.equals("json") ? VerificationRenderer.json(report) : VerificationRenderer.table(report));
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.VERIFICATION_FAILED;
    }
}
