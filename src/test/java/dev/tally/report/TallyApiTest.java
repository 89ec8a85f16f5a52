package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.Tally;
import dev.tally.analysis.InputShapes;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The public API ({@link Tally}) as a Java shop's budget test would call it. */
class TallyApiTest {

    @Test
    void analyzingAGraphBuiltInCodeCountsEveryParameterOnce() {
        // Params do not depend on which op rules exist: a node without a rule still owns the tensors it reads.
        Summary summary = Tally.analyze(TestModels.worksheet(), Tally.Options.defaults());

        assertThat(summary.totals().params()).isEqualTo(61_100_840L);
        assertThat(summary.layerSums()).isEqualTo(summary.totals().additive());
    }

    @Test
    void optionsFoldLayersAndSetInputShapes() {
        Summary summary = Tally.analyze(TestModels.blocks(), Tally.Options.defaults().withInput("x=3x2x4x4").withDepth(1));

        assertThat(summary.inputs().get(0).shape()).contains(Shape.of(3, 2, 4, 4));
        assertThat(summary.depth()).isEqualTo(1);
        assertThat(summary.layers()).extracting(LayerSummary::name).startsWith("stem", "layer1");
    }

    @Test
    void anUnnamedInputIsKeptForTheLoneInput() {
        Tally.Options options = Tally.Options.defaults().withInput("1x3x227x227");

        assertThat(options.inputShapes()).containsEntry(InputShapes.UNNAMED, Shape.of(1, 3, 227, 227));
    }

    @Test
    void theSameInputTwiceIsAUsageError() {
        Tally.Options options = Tally.Options.defaults().withInput("x=1x2x4x4");

        assertThatThrownBy(() -> options.withInput("x=2x2x4x4")).isInstanceOf(UsageException.class)
                .hasMessage("The input 'x' is given twice.");
    }

    /**
     * The optimizer and the mode, as {@code summary --optimizer} and {@code fit --mode} take them: LeNet-5's training
     * step against PyTorch's own measured step (scripts/export_memory_oracle.py, {@code trainingPeakBytes}), within the
     * 10% the training memory is held to, for Adam and SGD; inference mode runs no training pass.
     */
    @Test
    void theTrainingMemoryFollowsTheOptimizerAndModeGivenAndPyTorchsMeasuredStep() {
        Path lenet = Fixtures.expected("lenet5").file("traced");
        com.fasterxml.jackson.databind.JsonNode peaks = dev.tally.memory.PeakMemoryOracleTest.oracle("lenet5").path("trainingPeakBytes");
        for (String optimizer : java.util.List.of("adam", "sgd")) {
            Summary summary = Tally.analyze(lenet, Tally.Options.defaults().withInput("1x1x32x32").withOptimizer(optimizer));
            long measured = peaks.path(optimizer).asLong();
            assertThat(summary.totals().training().optimizer().displayName()).isEqualTo(optimizer);
            assertThat(Math.abs(summary.totals().trainingBytes() - measured)).as(optimizer).isLessThanOrEqualTo(measured / 10);
        }
        // SGD keeps no state and updates in place: 2 x 246,824 B of params and gradients less than Adam's state and step.
        long adam = Tally.analyze(lenet, Tally.Options.defaults().withInput("1x1x32x32")).totals().trainingBytes();
        long sgd = Tally.analyze(lenet, Tally.Options.defaults().withInput("1x1x32x32").withOptimizer("sgd")).totals().trainingBytes();
        assertThat(adam).isEqualTo(1_371_336L);
        assertThat(sgd).isEqualTo(723_824L);
        Summary inference = Tally.analyze(lenet, Tally.Options.defaults().withInput("1x1x32x32").withMode("inference"));
        assertThat(inference.totals().trainingBytes()).isZero();
        assertThat(inference.totals().training().isNone()).isTrue();
        assertThat(inference.totals().peakActivationBytes()).isPositive();
        assertThatThrownBy(() -> Tally.Options.defaults().withOptimizer("lion")).isInstanceOf(UsageException.class)
                .hasMessage("Unknown optimizer 'lion'. Use one of: sgd, momentum, adam, adamw.");
        assertThatThrownBy(() -> Tally.Options.defaults().withMode("eval")).isInstanceOf(UsageException.class)
                .hasMessage("Unknown mode 'eval'. Use one of: inference, training.");
    }

    /** An element type given with the input reaches the analysis: every tensor of a float16 input is 2 bytes. */
    @Test
    void anInputsElementTypeIsKept() {
        Path lenet = Fixtures.expected("lenet5").file("traced");
        Summary half = Tally.analyze(lenet, Tally.Options.defaults().withInput("1x1x32x32:float16"));
        Summary full = Tally.analyze(lenet, Tally.Options.defaults().withInput("1x1x32x32"));
        assertThat(half.inputs().get(0).dtype()).contains(dev.tally.ir.DType.FLOAT16);
        assertThat(half.totals().activationBytes() * 2).isEqualTo(full.totals().activationBytes());
    }

    @Test
    void aNegativeDepthIsAUsageError() {
        assertThatThrownBy(() -> Tally.Options.defaults().withDepth(-1)).isInstanceOf(UsageException.class)
                .hasMessage("The depth must be 0 (no folding) or more, not -1.");
    }

    @Test
    void aMissingFileIsAModelExceptionWithOneSentence() {
        assertThatThrownBy(() -> Tally.analyze(Path.of("/no/such/model.onnx"))).isInstanceOf(ModelException.class)
                .hasMessage("/no/such/model.onnx does not exist; check the path.");
    }

    @Test
    void theVersionIsThePomVersion() throws Exception {
        String pom = Files.readString(Fixtures.root().resolve("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>tally</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);

        assertThat(version.find()).isTrue();
        assertThat(Tally.VERSION).isEqualTo(version.group(1));
    }
}
