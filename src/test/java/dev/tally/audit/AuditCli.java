package dev.tally.audit;

import dev.tally.cli.AuditCommand;
import dev.tally.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code tally audit} in-process with the CLI's one exit-code handler, capturing both streams. */
final class AuditCli {
    record Result(int exitCode, String out, String err) {
    }

    private AuditCli() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ExitCodes handler = new ExitCodes();
        CommandLine command = new CommandLine(new AuditCommand())
                .setExecutionExceptionHandler(handler)
                .setParameterExceptionHandler(handler)
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err));
        int code = command.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
