package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.analysis.Analyzer;
import dev.tally.budget.BatchFit;
import dev.tally.budget.FitDerivation;
import dev.tally.load.ModelLoader;
import dev.tally.report.Summary;
import dev.tally.report.explain.ExplainFormat;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code tally fit} on resnet50 and vgg16 (TorchScript: the ONNX fixtures fix 224 x 224) at odd input sizes (where every stride-2 layer floors): the answer B fits,
 * B + 1 does not, and the memory at each comes from a summary of the model at exactly that batch.
 */
class FitFixturesTest {
    private static final Analyzer ANALYZER = new Analyzer();

    @Test
    void resnet50TracedAtAnOddSizeFitsExactlyTheAnswer() {
        checkFit(Fixtures.expected("resnet50").file("traced"), "x3x225x225", 3L << 30);
    }

    @Test
    void vgg16TracedAtAnOddSizeFitsExactlyTheAnswer() {
        checkFit(Fixtures.expected("vgg16").file("traced"), "x3x227x227", 5L << 30);
    }

    @Test
    void vgg16ByLargestActivationIsTheLimitOverItsFirstConvOutput() {
        Path vgg16 = Fixtures.expected("vgg16").file("scripted");
        long limit = 1L << 30;

        BatchFit.Result result = new BatchFit(ModelLoader::load, ANALYZER).fit(vgg16, Map.of("", dev.tally.ir.Shape.of(1, 3, 227, 227)),
                limit, BatchFit.By.LARGEST);

        // conv1_1 keeps 227x227 (3x3, padding 1): 64 x 227 x 227 floats per sample.
        assertThat(result.batch()).isEqualTo(limit / (64L * 227 * 227 * 4));
    }

    @Test
    void byLargestWithAMemoryThatIsNoWholeGibWritesMInBytes() {
        Path vgg16 = Fixtures.expected("vgg16").file("scripted");
        long limit = 1_000_000_000L;

        BatchFit.Result result = new BatchFit(ModelLoader::load, ANALYZER).fit(vgg16, Map.of("", dev.tally.ir.Shape.of(1, 3, 227, 227)),
                limit, BatchFit.By.LARGEST);

        // conv1_1's output, 64 x 227 x 227 = 3,297,856 floats per sample; 1e9 / (3,297,856 x 4) = 75.8.
        assertThat(result.batch()).isEqualTo(75);
        assertThat(ExplainFormat.text(FitDerivation.of(result).orElseThrow(), "")).startsWith(
                "B = floor(M / (A x s)) = floor(1,000,000,000 / (3,297,856 x 4)) = 75   (");
    }

    @Test
    void resnet18TrainingWithSgdAtAnOddSizeFitsExactlyTheAnswer() {
        // Training memory from the shape pass at each batch (whose saved activations equal PyTorch's at batch 1 and 8,
        // TrainingMemoryOracleTest): B fits, B + 1 does not, each the summary's own training figure at that batch.
        Path file = Fixtures.expected("resnet18").file("traced");
        String perSample = "x3x225x225";
        long limit = 2L << 30;
        BatchFit.Result result = new BatchFit(ModelLoader::load, ANALYZER, dev.tally.analysis.Optimizer.SGD)
                .fit(file, Map.of("", dev.tally.ir.Shape.of(parse("1" + perSample))), limit, BatchFit.By.TRAINING);
        long b = result.batch();
        assertThat(b).isGreaterThan(1);
        long atB = training(file, b + perSample);
        long atNext = training(file, (b + 1) + perSample);
        assertThat(atB).isEqualTo(result.at().bytes()).isLessThanOrEqualTo(limit);
        assertThat(atNext).isEqualTo(result.next().orElseThrow().bytes()).isGreaterThan(limit);
        assertThat(ExplainFormat.text(FitDerivation.of(result).orElseThrow(), "")).startsWith(
                String.format(java.util.Locale.ROOT, "memory(%d) = training(%d) = %,d B   (<= M = %,d B: fits)", b, b, atB, limit));
    }

    private static long training(Path file, String input) {
        Map<String, dev.tally.ir.Shape> shapes = Map.of("", dev.tally.ir.Shape.of(parse(input)));
        return dev.tally.report.SummaryBuilder.build(ANALYZER.analyze(ModelLoader.load(file, shapes), shapes, false), 0,
                dev.tally.analysis.Optimizer.SGD).totals().trainingBytes();
    }

    private static void checkFit(Path file, String perSample, long limit) {
        BatchFit fit = new BatchFit(ModelLoader::load, ANALYZER);

        BatchFit.Result result = fit.fit(file, Map.of("", dev.tally.ir.Shape.of(parse("1" + perSample))), limit, BatchFit.By.PEAK);

        long b = result.batch();
        assertThat(b).isGreaterThan(1);
        long atB = weightsPlusPeak(file, b + perSample);
        long atNext = weightsPlusPeak(file, (b + 1) + perSample);
        assertThat(atB).isEqualTo(result.at().bytes()).isLessThanOrEqualTo(limit);
        assertThat(atNext).isEqualTo(result.next().orElseThrow().bytes()).isGreaterThan(limit);
        assertThat(result.inputs().get(0).shape().dims()).isEqualTo(List.of(parse(b + perSample)).stream()
                .flatMap(dims -> java.util.Arrays.stream(dims).boxed()).toList());
        assertThat(result.table().get(0).bytes()).isEqualTo(weightsPlusPeak(file, "1" + perSample));
        // fit explains its answer by the two inequalities that decide the search, with the summary's own figures.
        Summary atBatch = Tally.analyze(file, Tally.Options.defaults().withInput(b + perSample));
        Summary atNextBatch = Tally.analyze(file, Tally.Options.defaults().withInput((b + 1) + perSample));
        String why = ExplainFormat.text(FitDerivation.of(result).orElseThrow(), "");
        assertThat(why).isEqualTo(String.format(java.util.Locale.ROOT,
                "memory(%d) = weights + peak(%d) = %,d + %,d = %,d B   (<= M = %,d B: fits)%n"
                        + "memory(%d) = weights + peak(%d) = %,d + %,d = %,d B   (> M = %,d B: does not fit)%n",
                b, b, atBatch.totals().paramBytes(), atBatch.totals().peakActivationBytes(), atB, limit,
                b + 1, b + 1, atNextBatch.totals().paramBytes(), atNextBatch.totals().peakActivationBytes(), atNext, limit)
                .replace(System.lineSeparator(), "\n"));
    }

    private static long weightsPlusPeak(Path file, String input) {
        Summary summary = Tally.analyze(file, Tally.Options.defaults().withInput(input));
        return summary.totals().paramBytes() + summary.totals().peakActivationBytes();
    }

    private static long[] parse(String shape) {
        return java.util.Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).toArray();
    }
}
