package dev.tally;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.Mode;
import dev.tally.analysis.Optimizer;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.load.ModelLoader;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Tally's public Java API: the figures of a model file, as {@code tally summary} prints them, for budget
 * assertions in a JUnit suite.
 *
 * <pre>{@code
 * import static org.assertj.core.api.Assertions.assertThat;
 *
 * class ModelBudgetTest {
 *     @Test
 *     void classifierFitsTheEdgeBudget() {
 *         Summary summary = Tally.analyze(Path.of("models/classifier.onnx"),
 *                 Tally.Options.defaults().withInput("1x3x224x224"));
 *         assertThat(summary.totals().params()).isLessThan(5_000_000L);
 *         assertThat(summary.totals().macs()).isLessThan(600_000_000L);
 *         assertThat(summary.unsupported()).isEmpty();
 *     }
 * }
 * }</pre>
 *
 * Every method throws a {@link dev.tally.ir.TallyException} subclass with a one-sentence message when the file
 * or the options are wrong: {@link dev.tally.ir.ModelException}, {@link dev.tally.ir.UsageException},
 * {@link dev.tally.ir.UnsupportedOpException} (with {@link Options#withStrict}).
 */
public final class Tally {
    /** Tally's version; kept equal to the pom's {@code <version>} by a test. */
    public static final String VERSION = "0.1.0-SNAPSHOT";

    private Tally() {
    }

    /** The summary of the model file at {@code model}, with the shapes it declares and every layer unfolded. */
    public static Summary analyze(Path model) {
        return analyze(model, Options.defaults());
    }

    /** The summary of the model file at {@code model}; the format is read from the content, not the name. */
    public static Summary analyze(Path model, Options options) {
        return analyze(ModelLoader.load(model, options.inputShapes()), options);
    }

    /** The summary of a model already loaded or built in code. */
    public static Summary analyze(Model model, Options options) {
        Analysis analysis = new Analyzer().analyze(model, options.inputShapes(), options.strict());
        return SummaryBuilder.build(analysis, options.depth(), options.mode(), options.optimizer()).check();
    }

    /**
     * How to analyse a model.
     *
     * @param inputShapes shapes by input name, as {@code --input name=1x3x224x224} gives them; the key
     *                    {@link InputShapes#UNNAMED} is the lone input of a one-input model
     * @param strict      whether an op without a rule is an error rather than a listed gap
     * @param depth       fold layers to this many components of their module path; 0 keeps them all
     * @param mode        {@link Mode#TRAINING} (the default, as {@code tally summary}): the totals carry
     *                    {@code trainingBytes}, one training step at the input's batch with {@code optimizer};
     *                    {@link Mode#INFERENCE}: the training pass is not run, {@code totals().trainingBytes()} is 0
     * @param optimizer   whose state the training memory counts (docs/conventions.md, "Training memory"); adam
     */
    public record Options(Map<String, Shape> inputShapes, boolean strict, int depth, Mode mode, Optimizer optimizer) {
        public Options {
            // A copy that keeps the element types of `withInput("x=1x3x224x224:float16")` (Map.copyOf would drop them).
            inputShapes = InputShapes.copyOf(inputShapes);
            if (depth < 0) {
                throw new UsageException("The depth must be 0 (no folding) or more, not " + depth + ".");
            }
            mode = mode == null ? Mode.TRAINING : mode;
            optimizer = optimizer == null ? Optimizer.ADAM : optimizer;
        }

        /** The input shapes, with the element types given ({@link InputShapes#dtypeOf}); a copy, so the options stay as made. */
        @Override
        public Map<String, Shape> inputShapes() {
            return InputShapes.copyOf(inputShapes);
        }

        /** The options before the training memory could be chosen: training with adam. */
        public Options(Map<String, Shape> inputShapes, boolean strict, int depth) {
            this(inputShapes, strict, depth, Mode.TRAINING, Optimizer.ADAM);
        }

        /** The file's own input shapes (a symbolic batch taken as 1), lenient, no folding, training memory with adam. */
        public static Options defaults() {
            return new Options(Map.of(), false, 0);
        }

        /** Adds one input shape written as on the command line: {@code 1x3x224x224} or {@code name=1x3x224x224}. */
        public Options withInput(String spec) {
            return withInputs(List.of(spec));
        }

        /** Adds input shapes written as on the command line; naming an input twice is a {@link UsageException}. */
        public Options withInputs(List<String> specs) {
            Map<String, Shape> added = InputShapes.parseOverrides(specs);
            InputShapes.Overrides all = InputShapes.copyOf(inputShapes);
            for (Map.Entry<String, Shape> entry : added.entrySet()) {
                boolean given = all.containsKey(entry.getKey());
                all.with(entry.getKey(), entry.getValue(), InputShapes.dtypeOf(added, entry.getKey()).orElse(null));
                InputShapes.valueBound(added, entry.getKey()).ifPresent(max -> all.withValueBound(entry.getKey(), max));
                if (given) {
                    String name = entry.getKey().isEmpty() ? "(unnamed)" : entry.getKey();
                    throw new UsageException("The input '" + name + "' is given twice.");
                }
            }
            return new Options(all, strict, depth, mode, optimizer);
        }

        public Options withStrict(boolean newStrict) {
            return new Options(inputShapes, newStrict, depth, mode, optimizer);
        }

        public Options withDepth(int newDepth) {
            return new Options(inputShapes, strict, newDepth, mode, optimizer);
        }

        /** {@code training} or {@code inference}, as {@code --mode} takes it. */
        public Options withMode(String name) {
            return withMode(Mode.parse("mode", name));
        }

        public Options withMode(Mode newMode) {
            return new Options(inputShapes, strict, depth, newMode, optimizer);
        }

        /** {@code sgd}, {@code momentum}, {@code adam} or {@code adamw}, as {@code --optimizer} takes it. */
        public Options withOptimizer(String name) {
            return withOptimizer(Optimizer.parse(name));
        }

        public Options withOptimizer(Optimizer newOptimizer) {
            return new Options(inputShapes, strict, depth, mode, newOptimizer);
        }
    }
}
