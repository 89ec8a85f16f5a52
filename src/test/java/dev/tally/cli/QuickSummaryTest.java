package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@link QuickSummary} against picocli on the same command lines: the command it builds must equal picocli's
 * field by field (so a new option or default in SummaryCommand that the quick route misses fails here), what it
 * prints and its exit code must be picocli's, and any command line it does not take must go to picocli.
 */
class QuickSummaryTest {
    private static final String LENET = Fixtures.root().resolve("models/lenet5.onnx").toString();
    private static final String WORKSHEET = Fixtures.root().resolve("models/worksheet.onnx").toString();

    record Run(int code, String out, String err) {
    }

    /** Command lines the quick route takes; some succeed, some fail in the command itself. */
    static Stream<List<String>> taken() {
        String traced = Fixtures.file("lenet5.traced.pt").toString();
        return Stream.of(
                List.of("summary", LENET),
                List.of("summary", "--format", "json", LENET),
                List.of("summary", LENET, "--format=csv", "--convention", "flops"),
                List.of("summary", "--format", "MARKDOWN", "--convention=OPS", WORKSHEET),
                List.of("summary", WORKSHEET, "--depth", "1", "--format", "json"),
                List.of("summary", LENET, "--receptive-field", "--strict"),
                List.of("summary", LENET, "--frozen", "conv*", "--frozen=fc?.*", "--format", "json"),
                List.of("summary", "--input", "1x1x28x28", traced, "--format", "json"),
                List.of("summary", "--input", "1x1x28x28", "--tree", traced),
                List.of("summary", LENET, WORKSHEET, "--format", "csv"),
                List.of("summary", "--format", "yaml", LENET),
                List.of("summary", "--convention", "mac", LENET),
                List.of("summary", traced),
                List.of("summary", "--input", "2x1x28x28", LENET, "--input", "x=1"),
                List.of("summary", "--tree", "--format", "json", LENET),
                List.of("summary", "--depth", "2", LENET, WORKSHEET),
                List.of("summary", "no-such-model.onnx"),
                List.of("summary", "verify"),
                List.of("summary", "help"));
    }

    /** Command lines left to picocli: its help, its errors, its argument files, other commands. */
    static Stream<List<String>> leftToPicocli() {
        return Stream.of(
                List.of(),
                List.of("summary"),
                List.of("summary", "--help"),
                List.of("summary", "-h", LENET),
                List.of("summary", "--format"),
                List.of("summary", LENET, "--format"),
                List.of("summary", LENET, "--format", "json", "--format", "csv"),
                List.of("summary", LENET, "--strict", "--strict"),
                List.of("summary", LENET, "--strict=true"),
                List.of("summary", LENET, "--format", "--strict"),
                List.of("summary", LENET, "--format="),
                List.of("summary", LENET, "--depth", "0"),
                List.of("summary", LENET, "--depth", "010"),
                List.of("summary", LENET, "--depth", "x"),
                List.of("summary", LENET, "--verify"),
                List.of("summary", LENET, "--fromat", "json"),
                List.of("summary", "--", LENET),
                List.of("summary", "-", LENET),
                List.of("summary", "@args.txt"),
                List.of("summary", LENET, "--input", "@shapes.txt"),
                List.of("summary", ""),
                List.of("summary", "a\0b.onnx"),
                List.of("verify", LENET),
                List.of("--version"),
                List.of("Summary", LENET));
    }

    @ParameterizedTest
    @MethodSource("taken")
    void theQuickRouteBuildsPicocliCommandField(List<String> args) throws Exception {
        String[] array = args.toArray(new String[0]);
        QuickSummary.Parsed parsed = QuickSummary.parse(array);
        assertThat(parsed).as("taken by the quick route").isNotNull();

        SummaryCommand quick = SummaryCommand.of((path, shapes) -> null, null, parsed.models(), parsed.options(),
                null, null);
        CommandLine.ParseResult result = Main.commandLine().parseArgs(array);
        Object picocli = result.subcommand().commandSpec().userObject();

        List<Field> options = optionFields();
        assertThat(options).hasSizeGreaterThan(10);
        for (Field field : options) {
            field.setAccessible(true);
            assertThat(field.get(quick)).as(field.getName()).isEqualTo(field.get(picocli));
        }
    }

    @ParameterizedTest
    @MethodSource("taken")
    void theQuickRoutePrintsWhatPicocliPrints(List<String> args, @TempDir Path dir) throws Exception {
        List<String> withOut = new ArrayList<>(args);
        Run quick = run(args, true);
        Run picocli = run(args, false);

        assertThat(quick).isEqualTo(picocli);
        assertThat(quick.out() + quick.err()).isNotEmpty();
        // --out: the same file content, nothing on stdout.
        if (!args.contains("--tree")) {
            withOut.addAll(List.of("--out", dir.resolve("quick.txt").toString()));
            Run quickFile = run(withOut, true);
            withOut.set(withOut.size() - 1, dir.resolve("picocli.txt").toString());
            Run picocliFile = run(withOut, false);
            assertThat(quickFile).isEqualTo(picocliFile);
            assertThat(Files.exists(dir.resolve("quick.txt"))).isEqualTo(Files.exists(dir.resolve("picocli.txt")));
            if (Files.exists(dir.resolve("quick.txt"))) {
                assertThat(Files.readString(dir.resolve("quick.txt"))).isEqualTo(Files.readString(dir.resolve("picocli.txt")));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("leftToPicocli")
    void anythingElseIsLeftToPicocli(List<String> args) {
        assertThat(QuickSummary.parse(args.toArray(new String[0]))).isNull();
    }

    @Test
    void theOptionsTakenAreSummaryOptionsOfTheSameKind() {
        List<String> names = new ArrayList<>();
        for (Field field : optionFields()) {
            CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
            if (option == null) {
                continue;
            }
            for (String name : option.names()) {
                names.add(name);
                QuickSummary.Kind kind = QuickSummary.OPTIONS.get(name);
                if (kind != null) {
                    QuickSummary.Kind expected = field.getType() == boolean.class ? QuickSummary.Kind.FLAG
                            : List.class.isAssignableFrom(field.getType()) ? QuickSummary.Kind.MANY : QuickSummary.Kind.ONE;
                    assertThat(kind).as(name).isEqualTo(expected);
                }
            }
        }
        assertThat(names).containsAll(QuickSummary.OPTIONS.keySet());
    }

    /** The fields picocli sets: every option and the model parameters. */
    private static List<Field> optionFields() {
        List<Field> fields = new ArrayList<>();
        for (Field field : SummaryCommand.class.getDeclaredFields()) {
            if (field.isAnnotationPresent(CommandLine.Option.class) || field.isAnnotationPresent(CommandLine.Parameters.class)) {
                fields.add(field);
            }
        }
        return fields;
    }

    /** Runs the command line through the quick route or through picocli, as Main does, with captured output. */
    private static Run run(List<String> args, boolean quickRoute) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        String[] array = args.toArray(new String[0]);
        int code = quickRoute
                ? QuickSummary.run(QuickSummary.parse(array), outWriter, errWriter)
                : Main.commandLine().setOut(outWriter).setErr(errWriter).execute(array);
        return new Run(code, out.toString(), err.toString());
    }
}
