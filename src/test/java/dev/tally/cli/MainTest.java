package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.TallyException;
import dev.tally.ir.UnsafePickleException;
import dev.tally.ir.UnsupportedOpException;
import dev.tally.ir.UsageException;
import dev.tally.load.ModelLoader;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.TableRenderer;
import dev.tally.report.TestModels;
import dev.tally.report.TinyRules;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code tally} in-process with captured stdout and stderr. {@code worksheet.onnx} and {@code mystery.onnx}
 * are graphs built in code ({@link TestModels}) handed to the CLI by its loader; any other path goes to the real
 * {@link ModelLoader}, so the missing-file message is the real one.
 */
class MainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    private static Model load(Path path) {
        return switch (path.getFileName().toString()) {
            case "worksheet.onnx" -> TestModels.worksheet();
            case "mystery.onnx" -> TestModels.withUnsupportedOp();
            case "blocks.onnx" -> TestModels.blocks();
            default -> ModelLoader.load(path);
        };
    }

    private static Run run(String... args) {
        return runWith(MainTest::load, args);
    }

    private static Run runWith(Function<Path, Model> loader, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(loader, new Analyzer(TinyRules.table()))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Exit 2 with exactly one line on stderr, nothing on stdout and no stack trace. */
    private static void assertBadInput(Run run, String message) {
        assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo(message + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void summaryPrintsTheTableOnStdoutAndExitsZero() {
        Run run = run("summary", "worksheet.onnx");

        String expected = new TableRenderer().render(SummaryBuilder.build(
                new Analyzer(TinyRules.table()).analyze(TestModels.worksheet(), Map.of(), false)), Convention.MACS);
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo(expected).contains("61,100,840", "791,392,256");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void summaryAsJsonUnderOpsGivesTheWorksheetTotals() throws Exception {
        Run run = run("summary", "worksheet.onnx", "--format", "json", "--convention", "ops");

        assertThat(run.code()).isZero();
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("totals").get("params").asLong()).isEqualTo(61_100_840L);
        assertThat(root.get("totals").get("ops").asLong()).isEqualTo(793_400_040L);
        assertThat(root.get("convention").asText()).isEqualTo("ops");
    }

    @Test
    void conventionAndFormatNamesIgnoreCase() {
        Run run = run("summary", "worksheet.onnx", "--format", "CSV", "--convention", "FLOPS");

        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("layer,type,outputShape,");
    }

    @Test
    void depthFoldsTheRows() {
        Run run = run("summary", "worksheet.onnx", "--depth", "1", "--format", "csv");

        assertThat(run.code()).isZero();
        assertThat(run.out().split("\r\n")).extracting(line -> line.split(",")[0])
                .containsExactly("layer", "features", "flatten", "classifier", "(total)");
    }

    @Test
    void anInputShapeSetsTheSymbolicBatch() throws Exception {
        Run run = run("summary", "blocks.onnx", "--input", "x=2x2x4x4", "--format", "json");

        assertThat(run.code()).isZero();
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("inputs").get(0).get("shape").toString()).isEqualTo("[2,2,4,4]");
        assertThat(root.get("inputs").get(0).get("origin").asText()).isEqualTo("--input");
        // Twice the batch, twice the MACs of the hand-worked 1,968.
        assertThat(root.get("totals").get("macs").asLong()).isEqualTo(2 * 1968);
    }

    @Test
    void anInputShapeThatContradictsAFixedDimExitsTwo() {
        assertBadInput(run("summary", "worksheet.onnx", "--input", "2x3x227x227"), "worksheet.onnx: input 'input' has"
                + " size 1 at axis 0, but --input gives 2; the model was exported with fixed sizes there.");
    }

    @Test
    void outWritesTheReportToAFileAndNothingToStdout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.md");

        Run run = run("summary", "worksheet.onnx", "--format", "markdown", "--out", file.toString());

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).startsWith("### worksheet.onnx");
    }

    @Test
    void outIntoAMissingFolderIsBadInput(@TempDir Path dir) {
        Path file = dir.resolve("no/such/folder/report.txt");

        assertBadInput(run("summary", "worksheet.onnx", "--out", file.toString()),
                "Cannot write the report to " + file + "; check that its folder exists and is writable.");
    }

    @Test
    void anUnsupportedOpIsListedAndStillExitsZero() {
        Run run = run("summary", "mystery.onnx");

        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("no rule for Mystery x1: /head/head.mystery/Mystery");
    }

    @Test
    void strictMakesAnUnsupportedOpExitTwo() {
        assertBadInput(run("summary", "mystery.onnx", "--strict"),
                "mystery.onnx: Node '/head/head.mystery/Mystery' (Mystery): no rule for op 'Mystery', and --strict makes"
                        + " that an error; run without --strict to see the other ops counted.");
    }

    @Test
    void aMissingFileExitsTwoWithOneSentence() {
        assertBadInput(run("summary", "/no/such/dir/alexnet.onnx"), "/no/such/dir/alexnet.onnx does not exist; check the path.");
    }

    @Test
    void aFileThatIsNotAModelExitsTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("notes.onnx");
        Files.writeString(file, "hello");

        assertBadInput(run("summary", file.toString()), "notes.onnx is not a model Tally reads (ONNX, TorchScript or a"
                + " torch.save checkpoint); check the file name and that the file is complete.");
    }

    @Test
    void anUnreadableInputShapeExitsTwo() {
        assertBadInput(run("summary", "worksheet.onnx", "--input", "1xAx227x227"),
                "Cannot read the shape '1xAx227x227'; write it as positive sizes joined by x, e.g. 1x3x224x224.");
    }

    @Test
    void anInputNameTheModelDoesNotHaveExitsTwo() {
        assertBadInput(run("summary", "worksheet.onnx", "--input", "image=1x3x227x227"),
                "worksheet.onnx has no input 'image'; its inputs are: input.");
    }

    @Test
    void anUnknownConventionListsTheValidOnes() {
        assertBadInput(run("summary", "worksheet.onnx", "--convention", "mac"),
                "Unknown convention 'mac'. Use one of: macs, flops, ops.");
    }

    @Test
    void anUnknownFormatListsTheValidOnes() {
        assertBadInput(run("summary", "worksheet.onnx", "--format", "xml"),
                "Unknown format 'xml'. Use one of: table, json, csv, markdown, html.");
    }

    @Test
    void optionsAreCheckedBeforeTheModelIsRead() {
        assertBadInput(run("summary", "/no/such/dir/alexnet.onnx", "--convention", "mac"),
                "Unknown convention 'mac'. Use one of: macs, flops, ops.");
    }

    @Test
    void anUnknownOptionPointsToHelp() {
        assertBadInput(run("summary", "worksheet.onnx", "--fast"), "Unknown option: '--fast'; see 'tally summary --help'.");
    }

    @Test
    void aMistypedOptionGetsPicoclisSuggestion() {
        assertBadInput(run("summary", "worksheet.onnx", "--formt", "json"),
                "Unknown option: '--formt'; did you mean '--format'? See 'tally summary --help'.");
    }

    @Test
    void aMistypedCommandGetsPicoclisSuggestion() {
        Run run = run("summry", "worksheet.onnx");

        assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).startsWith("Unmatched arguments from index 0: 'summry', 'worksheet.onnx'")
                .endsWith("; did you mean 'summary'? See 'tally --help'." + System.lineSeparator());
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingModelPointsToHelp() {
        assertBadInput(run("summary"), "Missing required parameter: 'MODEL'; see 'tally summary --help'.");
    }

    @Test
    void aDepthThatIsNotANumberPointsToHelp() {
        assertBadInput(run("summary", "worksheet.onnx", "--depth", "two"),
                "Invalid value for option '--depth': 'two' is not an int; see 'tally summary --help'.");
    }

    @Test
    void aDepthBelowOneExitsTwo() {
        assertBadInput(run("summary", "worksheet.onnx", "--depth", "0"), "--depth must be 1 or more, not 0.");
    }

    @Test
    void noCommandListsTheCommands() {
        assertBadInput(run(), "Missing a command: use one of summary, verify, audit, check, compare, explain, catalog, fit, help; see 'tally --help'.");
    }

    @Test
    void anUnknownCommandPointsToHelp() {
        Run run = run("summarize", "worksheet.onnx");

        assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).startsWith("Unmatched arguments from index 0: 'summarize', 'worksheet.onnx'")
                .endsWith("; did you mean 'summary'? See 'tally --help'." + System.lineSeparator());
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void aBugIsAnInternalErrorWithExitSeventyAndNoStackTrace() {
        Run run = runWith(path -> {
            throw new IllegalStateException("boom\nsecond line");
        }, "summary", "worksheet.onnx");

        assertThat(run.code()).isEqualTo(ExitCodes.INTERNAL_ERROR).isEqualTo(70);
        assertThat(run.err()).isEqualTo("internal error: java.lang.IllegalStateException: boom (please report)"
                + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void versionPrintsTheVersionAndExitsZero() {
        Run run = run("--version");

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("tally " + dev.tally.Tally.VERSION + System.lineSeparator());
        assertThat(run("summary", "--version").out()).isEqualTo(run.out());
    }

    @Test
    void runUsesTheGivenWritersWithTheRealLoader() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "summary", "/no/such/dir/alexnet.onnx");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("/no/such/dir/alexnet.onnx does not exist; check the path." + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpListsTheSummaryCommandAndItsOptions() {
        Run top = run("--help");
        Run summary = run("summary", "--help");

        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("summary");
        assertThat(summary.code()).isZero();
        assertThat(summary.out()).contains("--input", "--convention", "--format", "--depth", "--strict", "--out");
    }

    @Test
    void tallysOwnErrorsAreBadInputAndEverythingElseIsInternal() {
        assertThat(ExitCodes.of(new ModelException("x."))).isEqualTo(2);
        assertThat(ExitCodes.of(new UsageException("x."))).isEqualTo(2);
        assertThat(ExitCodes.of(new UnsupportedOpException("x."))).isEqualTo(2);
        assertThat(ExitCodes.of(new UnsafePickleException("x.", "os.system"))).isEqualTo(2);
        assertThat(ExitCodes.of(new TallyException("x."))).isEqualTo(2);
        assertThat(ExitCodes.of(new NullPointerException())).isEqualTo(70);
        assertThat(ExitCodes.messageOf(new NullPointerException())).isEqualTo("internal error: java.lang.NullPointerException (please report)");
    }

    @Test
    void theExitCodesAreTheDocumentedOnes() {
        assertThat(new int[] {ExitCodes.OK, ExitCodes.BUDGET_EXCEEDED, ExitCodes.BAD_INPUT,
                ExitCodes.VERIFICATION_FAILED, ExitCodes.DANGEROUS_PICKLE, ExitCodes.INTERNAL_ERROR})
                .containsExactly(0, 1, 2, 3, 4, 70);
    }
}
