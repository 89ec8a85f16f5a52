package dev.tally.bench;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.ir.Model;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process cost of reading and analysing one fixture model (issue 2 target: VGG16 under 20 ms), without
 * JVM start-up. Run by {@code scripts/bench}; by hand:
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) org.openjdk.jmh.Main AnalysisBenchmark -p file=resnet50.onnx}.
 * The fixture folder is the one {@link Fixtures#dir()} resolves ({@code -Dtally.fixtures}, {@code $TALLY_FIXTURES}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Dai.djl.offline=true"})
@State(Scope.Benchmark)
public class AnalysisBenchmark {
    /** A file in the fixture folder. */
    @Param("vgg16.onnx")
    public String file;

    private Path path;
    private Model model;
    private Analyzer analyzer;

    @Setup
    public void setUp() {
        path = Fixtures.file(file);
        analyzer = new Analyzer();
        model = ModelLoader.load(path);
    }

    /** The whole in-process job of {@code tally summary}: open and parse the file, shape and cost passes. */
    @Benchmark
    public Analysis loadAndAnalyze() {
        return new Analyzer().analyze(ModelLoader.load(path), Map.of(), false);
    }

    /** The passes alone, on a model parsed once, to tell parsing from analysis. */
    @Benchmark
    public Analysis analyzeOnly() {
        return analyzer.analyze(model, Map.of(), false);
    }
}
