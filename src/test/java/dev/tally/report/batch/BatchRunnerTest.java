package dev.tally.report.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.ir.ModelException;
import dev.tally.report.Format;
import dev.tally.report.Summary;
import dev.tally.report.compare.GoldenFiles;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

class BatchRunnerTest {
    @TempDir
    Path dir;

    /** lenet5 and alexnet (links to the fixtures), a broken .onnx, a .txt and a hidden folder that are not collected. */
    private Path folder() throws IOException {
        Files.createDirectories(dir.resolve("models/sub"));
        Files.createDirectories(dir.resolve("models/.tmp-export"));
        Files.createSymbolicLink(dir.resolve("models/lenet5.onnx"), Fixtures.file("lenet5.onnx"));
        Files.createSymbolicLink(dir.resolve("models/sub/alexnet.onnx"), Fixtures.file("alexnet.onnx"));
        Files.writeString(dir.resolve("models/broken.onnx"), "\u0008\u0001 not really");
        Files.writeString(dir.resolve("models/readme.txt"), "not a model");
        Files.writeString(dir.resolve("models/.tmp-export/half.onnx"), "");
        return dir.resolve("models");
    }

    private static Summary analyze(Path file) {
        return Tally.analyze(file);
    }

    @Test
    void aFolderGivesItsOnnxAndPtFilesSortedLeavingOutHiddenOnes() throws IOException {
        Path models = folder();
        Files.writeString(models.resolve("z.pt"), "x");
        assertThat(BatchRunner.collect(List.of(models))).extracting(p -> models.relativize(p).toString())
                .containsExactly("broken.onnx", "lenet5.onnx", "sub/alexnet.onnx", "z.pt");
        // A file named on the command line is taken whatever its name: the loader judges the content.
        assertThat(BatchRunner.collect(List.of(models.resolve("readme.txt"), models))).hasSize(5);
    }

    @Test
    void aFolderGivenAsASymbolicLinkIsWalkedAndItsFilesKeepTheLinksName() throws IOException {
        Path models = folder();
        Path link = Files.createSymbolicLink(dir.resolve("linked"), models);
        assertThat(BatchRunner.collect(List.of(link))).extracting(p -> link.relativize(p).toString())
                .containsExactly("broken.onnx", "lenet5.onnx", "sub/alexnet.onnx");
        assertThat(BatchRunner.collect(List.of(link))).allSatisfy(p -> assertThat(p.startsWith(link)).as("%s is named under the link", p).isTrue());
    }

    @Test
    void aBadFileGetsARowWithItsMessageAndTheOthersAreStillAnalysed(TestInfo test) throws IOException {
        Path models = folder();
        List<BatchRow> rows = new BatchRunner(BatchRunnerTest::analyze, 2).run(BatchRunner.collect(List.of(models)), null);
        assertThat(rows).extracting(BatchRow::path).containsExactly(
                models.resolve("broken.onnx").toString(), models.resolve("lenet5.onnx").toString(),
                models.resolve("sub/alexnet.onnx").toString());
        assertThat(rows.get(0).error()).hasValueSatisfying(message -> assertThat(message).startsWith("broken.onnx").endsWith("."));
        assertThat(rows.get(0).bug()).isFalse();
        assertThat(rows.get(1).summary().orElseThrow().totals().params()).isEqualTo(Fixtures.expected("lenet5").params());
        assertThat(rows.get(2).summary().orElseThrow().totals().macs()).isEqualTo(Fixtures.expected("alexnet").macs());
        List<BatchRow> relative = new ArrayList<>();
        for (BatchRow row : rows) {
            relative.add(new BatchRow(dir.relativize(Path.of(row.path())).toString(), row.summary(), row.error(), row.bug()));
        }
        GoldenFiles.assertMatches("batch", test, "txt", BatchRenderer.render(relative, Format.TABLE));
    }

    @Test
    void filesAreAnalysedInParallelAndRowsKeepTheOrderOfTheFiles() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Function<Path, Summary> slow = file -> {
            threads.add(Thread.currentThread().getName() + "@" + System.identityHashCode(Thread.currentThread()));
            try {
                Thread.sleep(file.toString().equals("a.onnx") ? 300 : 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return dev.tally.budget.Summaries.of(file.toString(), 1, 0, 4, 0, 0, 0);
        };
        List<BatchRow> rows = new BatchRunner(slow, 2).run(List.of(Path.of("a.onnx"), Path.of("b.onnx"), Path.of("c.onnx")), null);
        assertThat(rows).extracting(BatchRow::path).containsExactly("a.onnx", "b.onnx", "c.onnx");
        assertThat(threads).hasSize(2);
    }

    @Test
    void aBugInOneFileIsMarkedAsABugAndDoesNotStopTheBatch() {
        Function<Path, Summary> buggy = file -> {
            if (file.toString().equals("bad.onnx")) {
                throw new IllegalStateException("boom");
            }
            throw new ModelException(file + " is not a model.");
        };
        List<BatchRow> rows = new BatchRunner(buggy, 1).run(List.of(Path.of("bad.onnx"), Path.of("x.onnx")), null);
        assertThat(rows.get(0).bug()).isTrue();
        assertThat(rows.get(0).error()).contains("internal error: java.lang.IllegalStateException: boom (please report)");
        assertThat(rows.get(1).bug()).isFalse();
    }

    @Test
    void theProgressBarIsDrawnInPlaceAndClearedWhenAsked() {
        StringWriter progress = new StringWriter();
        new BatchRunner(file -> dev.tally.budget.Summaries.of(file.toString(), 1, 0, 4, 0, 0, 0), 1)
                .run(List.of(Path.of("a.onnx"), Path.of("b.onnx")), new PrintWriter(progress));
        assertThat(progress.toString()).contains("\r[###############...............] 1/2 a.onnx")
                .contains("\r[##############################] 2/2 b.onnx").endsWith("\r");
        StringWriter none = new StringWriter();
        assertThat(none.toString()).isEmpty();
    }
}
