package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.cli.Main;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tally fit} on files exported with a fixed batch (scripts/export_zoo.py exports without dynamic axes): the
 * first axis of the {@code --input} given, written with a symbolic batch ({@code Bx3x224x224}) or an explicit one,
 * is the batch, and the answer's shapes come from the shape pass at that batch. Checked against PyTorch's own figures
 * of the same model at batch 1 ({@code zoo/<name>.expected.json}): a CNN's MACs and output grow exactly with the batch.
 */
class FixedBatchFitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ANSWER = Pattern.compile("Largest batch that fits: (\\d+)");

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path zoo(String file) {
        Path path = Fixtures.dir().resolve("zoo").resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Fixture " + path + " is missing; make it with: /usr/bin/python3 scripts/export_zoo.py --models "
                    + file.substring(0, file.indexOf('.')) + " --out " + Fixtures.dir() + " (scripts/test does it for you).");
        }
        return path;
    }

    private static JsonNode expected(String name) throws IOException {
        return JSON.readTree(zoo(name + ".expected.json").toFile());
    }

    private static long answer(Run run) {
        Matcher matcher = ANSWER.matcher(run.out());
        assertThat(matcher.find()).as(run.out() + run.err()).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    @Test
    void aFixedBatchOnnxFileFitsWithASymbolicOrAnExplicitBatchAndTheShapesComeFromTheShapePass() throws IOException {
        Path resnet34 = zoo("resnet34.onnx");
        JsonNode pytorch = expected("resnet34");
        JsonNode exported = pytorch.get("inputs").get(0).get("shape");
        assertThat(exported.get(0).asLong()).as("exported at batch 1").isEqualTo(1);
        // The zoo exports convnets at a small side (export_zoo.py); the figures are at the exported size.
        long side = exported.get(2).asLong();
        String hw = side + "x" + exported.get(3).asLong();

        Run without = run("fit", resnet34.toString(), "--memory", "12GiB");
        assertThat(without.code()).isEqualTo(2);
        assertThat(without.err()).isEqualTo("resnet34.onnx: input 'input' has fixed sizes 1x3x" + hw + " and no symbolic batch, so Tally"
                + " cannot tell which axis is the batch; pass --input input=Bx3x" + hw + " (or an explicit batch, input=1x3x" + hw + ")"
                + " to take its first axis as the batch.\n");

        for (String mode : List.of("inference", "training")) {
            Run symbolic = run("fit", resnet34.toString(), "--memory", "12GiB", "--mode", mode, "--input", "input=Bx3x" + hw);
            Run explicit = run("fit", resnet34.toString(), "--memory", "12GiB", "--mode", mode, "--input", "1x3x" + hw);
            assertThat(symbolic.code()).as(symbolic.err()).isZero();
            assertThat(explicit.out()).isEqualTo(symbolic.out());
            long batch = answer(symbolic);
            assertThat(batch).isGreaterThan(1);
            // The shape pass at the answer, on the file with its batch axis opened: PyTorch's output at batch 1 with
            // the batch axis set to B, and B times PyTorch's MACs (every conv and linear scales with the batch).
            Analysis analysis = new Analyzer().analyze(
                    InputShapes.openBatch(ModelLoader.load(resnet34), List.of("input")), Map.of("input", Shape.of(batch, 3, side, exported.get(3).asLong())), false);
            Summary summary = SummaryBuilder.build(analysis);
            assertThat(summary.outputs().get(0).shape()).contains(Shape.of(batch, pytorch.get("outputShapes").get(0).get(1).asLong()));
            assertThat(summary.totals().macs()).isEqualTo(batch * pytorch.get("macs").asLong());
            long bytes = mode.equals("training") ? summary.totals().trainingBytes()
                    : summary.totals().paramBytes() + summary.totals().peakActivationBytes();
            assertThat(symbolic.out()).contains("  batch " + batch + ": " + String.format("%,d", bytes) + " B");
            assertThat(bytes).isLessThanOrEqualTo(12L << 30);
            assertThat(symbolic.out()).contains("Input:  input " + batch + "x3x" + hw + " float32");
        }
    }

    @Test
    void aTorchScriptFileTakesASymbolicBatchAsAnExplicitOne() {
        Path mobilenet = zoo("mobilenet_v3_small.traced.pt");
        Run symbolic = run("fit", mobilenet.toString(), "--memory", "4GiB", "--input", "Nx3x224x224");
        Run explicit = run("fit", mobilenet.toString(), "--memory", "4GiB", "--input", "1x3x224x224");
        assertThat(symbolic.code()).as(symbolic.err()).isZero();
        assertThat(symbolic.out()).isEqualTo(explicit.out());
        assertThat(answer(symbolic)).isGreaterThan(1);
    }

    @Test
    void aGraphThatKeepsItsExportBatchInAReshapeSaysSoInOneSentence() throws IOException {
        // ShuffleNet's channel shuffle is exported as a Reshape to [1, groups, ...]: only batch 1 has shapes.
        JsonNode exported = expected("shufflenet_v2_x0_5").get("inputs").get(0).get("shape");
        String input = "Bx3x" + exported.get(2).asLong() + "x" + exported.get(3).asLong();
        Run run = run("fit", zoo("shufflenet_v2_x0_5.onnx").toString(), "--memory", "12GiB", "--input", input);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("shufflenet_v2_x0_5.onnx was exported at batch 1 and does not run at batch 2 (")
                .endsWith("re-export it with a dynamic batch axis (torch.onnx.export's dynamic_axes={'input': {0: 'batch'}}).\n")
                .doesNotContain("Exception").hasLineCount(1);
    }
}
