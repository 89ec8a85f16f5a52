package dev.tally.cli;

import dev.tally.audit.AuditRenderer;
import dev.tally.audit.AuditReport;
import dev.tally.audit.Auditor;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally audit CHECKPOINT}: reads a torch.save file without running it, lists the globals it references
 * by severity, inventories its tensors, matches it to a known architecture and counts that architecture with
 * the checkpoint's own shapes. Exit 0 when clean, 4 when a dangerous global is referenced (the report is still
 * printed), 2 for a file that cannot be read.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Audits a torch.save checkpoint (.pth/.pt) without running it: unsafe globals, tensor inventory, architecture match and its summary.")
public final class AuditCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CHECKPOINT", description = "A torch.save file (zip or legacy format); the format is read from the content.")
    private Path checkpoint;

    @Option(names = "--values", description = "Also read the weights: NaN/Inf counts, min, max and mean per tensor (otherwise no weight byte is read).")
    private boolean values;

    @Option(names = "--no-summary", negatable = false, description = "Skip counting the matched architecture.")
    private boolean noSummary;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "table",
            description = "table, json, csv (the tensor inventory), markdown or sarif (SARIF 2.1.0, one result per global, for code-scanning dashboards) (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    private Path out;

    @Override
    public Integer call() {
        AuditRenderer.Style style = AuditRenderer.style(format);
        AuditReport report = new Auditor().audit(checkpoint, values, !noSummary);
        StringWriter text = new StringWriter();
        AuditRenderer.render(report, style, new PrintWriter(text));
        if (out == null) {
            PrintWriter writer = spec.commandLine().getOut();
            writer.print(text);
            writer.flush();
        } else {
            try {
                Files.writeString(out, text.toString(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException("Cannot write the report to " + out + "; check that its folder exists and is writable.");
            }
        }
        if (report.exitCode() == ExitCodes.DANGEROUS_PICKLE) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(report.fileName() + " is unsafe to torch.load: it imports or calls globals outside the allow-list ("
                    + report.findings().stream().filter(f -> f.severity() == dev.tally.audit.Severity.DANGEROUS)
                    .map(f -> f.global().qualifiedName() + (f.opcode().isEmpty() ? "" : " by " + f.opcode())
                            + (f.where().isEmpty() ? "" : " at " + f.where()))
                    .distinct().limit(5).reduce((a, b) -> a + "; " + b).orElse("")
                    + "); do not torch.load it.");
            err.flush();
            return ExitCodes.DANGEROUS_PICKLE;
        }
        if (report.exitCode() == ExitCodes.NON_FINITE_VALUES) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(AuditRenderer.nonFiniteHeadline(report) + ".");
            err.flush();
            return ExitCodes.NON_FINITE_VALUES;
        }
        return ExitCodes.OK;
    }
}
