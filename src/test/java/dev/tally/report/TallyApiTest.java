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
