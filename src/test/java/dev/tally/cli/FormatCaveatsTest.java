package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code compare} and {@code check --baseline} say when the files compared are of different formats or one has
 * BatchNorm folded by the exporter, in every output format: otherwise vgg16.onnx and vgg16_bn.onnx look identical
 * (the fold removed vgg16_bn's 8,448 BatchNorm params: PyTorch counts 138,365,992 against vgg16's 138,357,544),
 * and a baseline taken from TorchScript trips a gate on the ONNX file of the same model without a word about why.
 */
class FormatCaveatsTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"table", "markdown", "json", "csv", "html"})
    void compareNamesTheFoldedBatchNormsInEveryFormat(String format) {
        Run run = run("compare", Fixtures.file("vgg16.onnx").toString(), Fixtures.file("vgg16_bn.onnx").toString(), "--format", format);

        assertThat(run.code()).as(run.err()).isZero();
        // 13 BatchNorm2d over 64+64+128+128+256x3+512x6 = 4,224 channels, as torchvision's vgg16_bn has them.
        assertThat(run.out().replace("\\_", "_")).contains("vgg16_bn.onnx has 13 BatchNorms folded into Convs by the exporter (4,224 channels)");
        assertThat(Fixtures.expected("vgg16_bn").params() - Fixtures.expected("vgg16").params()).isEqualTo(2 * 4_224);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"table", "markdown", "json", "csv", "html"})
    void compareSaysTheFilesAreOfDifferentFormatsInEveryFormat(String format) {
        Run run = run("compare", Fixtures.file("resnet18.scripted.pt").toString(), Fixtures.file("resnet18.onnx").toString(),
                "--input", "1x3x224x224", "--format", format);

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("The files are of different formats (resnet18.scripted.pt is torchscript, resnet18.onnx is onnx)")
                .contains("resnet18.onnx has 20 BatchNorms folded");
    }

    @Test
    void filesOfOneFormatWithoutFoldingGetNoCaveat() {
        Run run = run("compare", Fixtures.file("vgg16.onnx").toString(), Fixtures.file("vgg19.onnx").toString());

        assertThat(run.out()).doesNotContain("different formats").doesNotContain("folded into Convs");
    }

    @Test
    void aBaselineFromAnotherFormatSaysWhyTheParamsMoved() {
        Path baseline = dir.resolve("resnet18.json");
        Run summary = run("summary", Fixtures.file("resnet18.onnx").toString(), "--format", "json", "--out", baseline.toString());
        assertThat(summary.code()).as(summary.err()).isZero();

        Run check = run("check", Fixtures.file("resnet18.scripted.pt").toString(), "--input", "1x3x224x224",
                "--baseline", baseline.toString(), "--max-growth", "params=0%");

        // PyTorch's 11,689,512 against the folded ONNX file's 11,684,712: over, and the report says why.
        assertThat(check.code()).isEqualTo(1);
        assertThat(check.out()).contains("11,689,512").contains("11,684,712")
                .contains("the baseline was taken from a file of format 'onnx' and this one is 'torchscript', and the baseline has 20 BatchNorms"
                        + " folded by the exporter and this has 0, so params and buffers can differ for that reason alone");
    }
}
