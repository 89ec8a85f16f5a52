package dev.tally.cli;

import dev.tally.Tally;
import dev.tally.analysis.Analyzer;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tally} command: the entry point of the jar and of {@code scripts/tally}. */
@Command(name = "tally", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Exact params, MACs, FLOPs, ops and activation memory of PyTorch models (ONNX, TorchScript).",
        subcommands = {
            SummaryCommand.class,
            VerifyCommand.class,
            AuditCommand.class,
            CheckCommand.class,
            CompareCommand.class,
            ExplainCommand.class,
            CatalogCommand.class,
            FitCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // The one command that needs nothing: answered before picocli, whose classes (Java 5 bytecode) no
            // class archive can hold, so they are loaded and verified on every start.
            System.out.println(new Version().getVersion()[0]);
            System.exit(0);
        }
        int code;
        try {
            QuickSummary.Parsed summary = QuickSummary.parse(args);
            code = summary != null
                    ? QuickSummary.run(summary, QuickSummary.writer(System.out, "sun.stdout.encoding"),
                            QuickSummary.writer(System.err, "sun.stderr.encoding"))
                    : commandLine().execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // The readers bound depth and size explicitly; this is the last guard, one sentence and exit 2, never a trace.
            // bin/tally caps the heap (so that any file under 100 MB stays under 1 GB of memory): a real model that
            // needs more is told how to give it more.
            System.err.println(e instanceof StackOverflowError
                    ? "The input needs more nesting than Tally allows (StackOverflowError); the file is damaged or hostile."
                    : "The input needs more memory than Tally's heap allows (OutOfMemoryError); the file is damaged or"
                            + " hostile, or, if it is a real model, give Tally more heap with TALLY_JAVA_OPTS=-Xmx4g.");
            code = ExitCodes.BAD_INPUT;
        }
        System.exit(code);
    }

    /**
     * The command line that loads files with {@link ModelLoader} (checkpoints, torch.save and safetensors, through
     * their catalog match) and counts with the standard rules.
     */
    public static CommandLine commandLine() {
        return commandLine((BiFunction<Path, Map<String, Shape>, Model>) ModelLoader::load, new Analyzer());
    }

    /**
     * The command line with another loader or rule table: tests use it to run the CLI on a graph built in code,
     * and embedders to plug in their own rules.
     */
    public static CommandLine commandLine(Function<Path, Model> loader, Analyzer analyzer) {
        return commandLine((path, shapes) -> loader.apply(path), analyzer);
    }

    /**
     * The command line with a loader that also takes the {@code --input} shapes, which TorchScript files need
     * because they do not record their own.
     */
    public static CommandLine commandLine(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == SummaryCommand.class) {
                    return type.cast(new SummaryCommand(loader, analyzer));
                }
                if (type == VerifyCommand.class) {
                    return type.cast(new VerifyCommand(loader, analyzer));
                }
                if (type == CheckCommand.class) {
                    return type.cast(new CheckCommand(loader, analyzer));
                }
                if (type == CompareCommand.class) {
                    return type.cast(new CompareCommand(loader, analyzer));
                }
                if (type == FitCommand.class) {
                    return type.cast(new FitCommand(loader, analyzer));
                }
                return defaults.create(type);
            }
        };
        ExitCodes exitCodes = new ExitCodes();
        return new CommandLine(new Main(), factory)
                .setExecutionExceptionHandler(exitCodes)
                .setParameterExceptionHandler(exitCodes);
    }

    /** Runs {@code args} with output and errors going to the given writers; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        // The same two routes as main: a plain summary command line past picocli, the rest through it.
        QuickSummary.Parsed summary = QuickSummary.parse(args);
        if (summary != null) {
            return QuickSummary.run(summary, out, err);
        }
        CommandLine command = commandLine();
        command.setOut(out).setErr(err);
        return command.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a command: use one of " + String.join(", ", spec.subcommands().keySet()));
    }

    /** {@code tally --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tally " + Tally.VERSION};
        }
    }
}
