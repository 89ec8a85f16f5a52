package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.analysis.rules.Rules;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.load.onnx.proto.Onnx;
import dev.tally.testing.Fixtures;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification with the real engines on PyTorch-made fixtures. AlexNet's figures are PyTorch's own
 * ({@code alexnet.expected.json}): 61,100,840 params, no buffers, a 1x1000 output; its conv1 bias has 64 elements.
 */
class VerifyEnginesTest {
    private static final long ALEXNET_PARAMS = 61_100_840L;

    private static Check row(VerificationReport report, String prefix) {
        return report.checks().stream().filter(c -> c.check().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("No check '" + prefix + "...' in " + report.checks()));
    }

    @Test
    void alexnetOnnxPassesEveryCheckInOnnxRuntime() {
        assertThat(Fixtures.expected("alexnet").params()).isEqualTo(ALEXNET_PARAMS);
        VerificationReport report = Engines.verifier().verify(Engines.analyze("alexnet", "onnx"));

        assertThat(report.failures()).isEmpty();
        assertThat(report.passed()).isTrue();
        assertThat(report.engine()).startsWith("ONNX Runtime");
        assertThat(row(report, "output ").actual()).isEqualTo("1x1000");
        assertThat(row(report, "params (elements in the stored bytes").actual()).isEqualTo("61,100,840");
        assertThat(row(report, "every intermediate shape").actual()).matches("all \\d+ equal");
        assertThat(report.timings()).extracting(VerificationReport.Timing::phase).contains("inference");
    }

    @Test
    void alexnetTracedPassesInDjlWithPyTorchsParamCount() {
        VerificationReport report = Engines.verifier().verify(Engines.analyze("alexnet", "traced"));

        assertThat(report.failures()).isEmpty();
        assertThat(report.engine()).startsWith("DJL PyTorch");
        assertThat(row(report, "output ").actual()).isEqualTo("1x1000");
        assertThat(row(report, "params (16 DJL parameter tensors)").actual()).isEqualTo("61,100,840");
    }

    @Test
    void aStaticTallyMissingOneParamFailsTheStoredBytesCheck() {
        Engines.Removed removed = Engines.withoutFirstParam(Engines.analyze("alexnet", "onnx"));
        assertThat(removed.param().sourceName()).isEqualTo("features.0.bias");

        VerificationReport report = Engines.verifier().verify(removed.analysis());

        assertThat(report.passed()).isFalse();
        assertThat(report.failures()).containsExactly(new Check("params (elements in the stored bytes of 16 tensors)",
                "61,100,776", "61,100,840", false));
    }

    @Test
    void aStaticTallyMissingOneParamFailsTheDjlParamCheck() {
        Engines.Removed removed = Engines.withoutFirstParam(Engines.analyze("alexnet", "traced"));

        VerificationReport report = Engines.verifier().verify(removed.analysis());

        assertThat(report.failures()).containsExactly(new Check("params (16 DJL parameter tensors)",
                CrossChecks.count(ALEXNET_PARAMS - removed.param().numel()), "61,100,840", false));
    }

    /**
     * ResNet-18's stem max pool has kernel 3, stride 2, padding 1: 112 -> floor((112 + 2 - 3) / 2) + 1 = 56.
     * A rule that ignores padding says floor((112 - 3) / 2) + 1 = 55, and the error heals by layer2
     * (stride-2 convs take 55 and 56 both to 28), so the output shape still agrees: only the intermediate check
     * can catch it.
     */
    @Test
    void aMaxPoolRuleThatIgnoresPaddingFailsAtResnet18sMaxPoolNode() {
        Analyzer wrong = new Analyzer(Rules.standard().with("MaxPool", new PaddingBlindMaxPoolRule()));
        VerificationReport report = Engines.verifier().verify(Engines.analyze("resnet18", "onnx", wrong));

        assertThat(row(report, "output ").pass()).isTrue();
        Check intermediate = row(report, "every intermediate shape");
        assertThat(intermediate.pass()).isFalse();
        assertThat(intermediate.actual()).startsWith("first differs at Node '/maxpool/MaxPool' (MaxPool), layer 'maxpool': value ")
                .contains(" is 1x64x56x56, predicted 1x64x55x55");
        assertThat(report.passed()).isFalse();
    }

    @Test
    void aStructureOnlyOnnxIsRefusedWithOneSentenceBeforeAnyEngineStarts(@TempDir Path dir) throws Exception {
        Path structureOnly = writeWithExternalData(Fixtures.file("alexnet.onnx"), dir.resolve("alexnet.onnx"), false);
        Analysis analysis = Engines.analyze(structureOnly, Fixtures.expected("alexnet"), new Analyzer());

        assertThatThrownBy(() -> Engines.verifier().verify(analysis))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("alexnet.onnx is a structure-only model: the weights of '")
                .hasMessageContaining("belong in 'alexnet.onnx.data', which is absent, so it cannot run")
                .hasMessageEndingWith("(tally summary still counts it).");
    }

    /** The edited copy with every value as an output is run from bytes: its external weights must still be found. */
    @Test
    void anOnnxWithItsWeightsInAnExternalFileVerifies(@TempDir Path dir) throws Exception {
        Path external = writeWithExternalData(Fixtures.file("resnet18.onnx"), dir.resolve("resnet18.onnx"), true);

        VerificationReport report = Engines.verifier().verify(
                Engines.analyze(external, Fixtures.expected("resnet18"), new Analyzer()));

        assertThat(report.failures()).as(VerificationRenderer.table(report)).isEmpty();
        assertThat(row(report, "every intermediate shape").actual()).matches("all \\d+ equal");
    }

    /**
     * The fixture with every initializer moved to {@code <name>.data} beside it, as
     * {@code onnx.save_model(..., save_as_external_data=True)} writes it; without the data file it is a
     * structure-only model as models/ ships them.
     */
    private static Path writeWithExternalData(Path from, Path to, boolean writeData) throws Exception {
        String location = to.getFileName() + ".data";
        Onnx.ModelProto model = OnnxFile.read(from).model();
        Onnx.GraphProto.Builder graph = model.getGraph().toBuilder();
        long offset = 0;
        try (OutputStream data = writeData ? Files.newOutputStream(to.resolveSibling(location)) : OutputStream.nullOutputStream()) {
            for (Onnx.TensorProto.Builder tensor : graph.getInitializerBuilderList()) {
                if (!tensor.hasRawData()) {
                    continue;
                }
                long length = tensor.getRawData().size();
                tensor.getRawData().writeTo(data);
                tensor.clearRawData().setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", location))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(length)));
                offset += length;
            }
        }
        try (OutputStream out = Files.newOutputStream(to)) {
            model.toBuilder().setGraph(graph).build().writeTo(out);
        }
        return to;
    }

    private static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** A deliberately wrong MaxPool shape rule: D' = floor((D - k) / s) + 1, pads ignored. */
    static final class PaddingBlindMaxPoolRule implements OpRule {
        @Override
        public List<String> inputs() {
            return List.of("X");
        }

        @Override
        public List<TensorInfo> inferShapes(OpContext ctx) {
            TensorInfo x = ctx.input("X");
            List<Long> kernel = ctx.attrLongs("kernel_shape").orElseThrow();
            List<Long> strides = ctx.attrLongs("strides", List.of(1L, 1L));
            List<Long> dims = new ArrayList<>(x.shape().dims().subList(0, 2));
            for (int i = 0; i < kernel.size(); i++) {
                dims.add((x.shape().dim(2 + i) - kernel.get(i)) / strides.get(i) + 1);
            }
            List<TensorInfo> outputs = new ArrayList<>();
            for (int i = 0; i < ctx.node().outputs().size(); i++) {
                outputs.add(x.withShape(new Shape(dims)));
            }
            return outputs;
        }
    }
}
