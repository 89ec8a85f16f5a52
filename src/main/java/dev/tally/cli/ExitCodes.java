package dev.tally.cli;

import dev.tally.ir.TallyException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * The one place that maps outcomes to exit codes. Tally's own errors and picocli's parameter errors print one
 * sentence on stderr, never a stack trace (with picocli's "did you mean" for a mistyped command or option);
 * anything else is a bug and says so.
 */
public final class ExitCodes implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    public static final int OK = 0;
    /** A model is over a budget ({@code tally check}). */
    public static final int BUDGET_EXCEEDED = 1;
    /** The model file or the options are wrong: every {@link TallyException}, every picocli parameter error. */
    public static final int BAD_INPUT = 2;
    /** Real inference disagreed with the static figures ({@code tally verify}). */
    public static final int VERIFICATION_FAILED = 3;
    /** The audit found a pickle that would run code on load ({@code tally audit}). */
    public static final int DANGEROUS_PICKLE = 4;
    /** {@code tally audit --values} found NaN or infinite values in a tensor. */
    public static final int NON_FINITE_VALUES = 5;
    /** A bug in Tally (EX_SOFTWARE of sysexits.h). */
    public static final int INTERNAL_ERROR = 70;

    /** The exit code for an exception that escaped a command. */
    public static int of(Throwable error) {
        return error instanceof TallyException ? BAD_INPUT : INTERNAL_ERROR;
    }

    /** The line printed on stderr for an exception that escaped a command. */
    public static String messageOf(Throwable error) {
        if (error instanceof TallyException) {
            return error.getMessage();
        }
        String detail = error.getMessage() == null ? "" : ": " + error.getMessage().lines().findFirst().orElse("");
        return "internal error: " + error.getClass().getName() + detail + " (please report)";
    }

    @Override
    public int handleExecutionException(Exception error, CommandLine command, CommandLine.ParseResult parseResult) {
        command.getErr().println(messageOf(error));
        command.getErr().flush();
        return of(error);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        PrintWriter err = command.getErr();
        String message = error.getMessage() == null ? "Invalid arguments" : error.getMessage().strip();
        if (message.endsWith(".")) {
            message = message.substring(0, message.length() - 1);
        }
        String help = "'" + command.getCommandSpec().qualifiedName() + " --help'";
        List<String> suggestions = error instanceof CommandLine.UnmatchedArgumentException unmatched
                ? unmatched.getSuggestions() : List.of();
        if (suggestions.isEmpty()) {
            err.println(message + "; see " + help + ".");
        } else {
            // picocli's nearest name for a mistyped command or option (its list is most similar first; the
            // rest are weak: 'summarize' also suggests 'verify').
            err.println(message + "; did you mean '" + suggestions.get(0) + "'? See " + help + ".");
        }
        err.flush();
        return BAD_INPUT;
    }
}
