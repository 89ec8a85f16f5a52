package dev.tally.budget;

import dev.tally.analysis.Optimizer;
import dev.tally.ir.UsageException;
import dev.tally.analysis.Mode;

/**
 * A batch that must fit in a memory: {@code tally check --fit-batch 256 --memory 16GiB [--by peak|largest]
 * [--mode inference|training] [--optimizer adam]}, or the keys {@code fit-batch}, {@code memory}, {@code fit-by},
 * {@code fit-mode}, {@code optimizer} of a budget file. The memory at the batch is what {@code tally fit} computes
 * there ({@link BatchFit#bytesAt}: the shape pass re-run at that batch).
 *
 * @param memoryText the memory as written ({@code 16GiB}), shown beside the exact bytes in messages
 * @param by         the figure: peak or largest in inference, {@link BatchFit.By#TRAINING} in training mode
 * @param optimizer  whose state the training memory counts; unused in inference
 */
public record FitGate(long batch, long memory, String memoryText, BatchFit.By by, Optimizer optimizer) {
    public FitGate {
        if (batch < 1) {
            throw new IllegalArgumentException("A fit gate's batch must be at least 1: " + batch + ".");
        }
        optimizer = optimizer == null ? Optimizer.ADAM : optimizer;
    }

    /** An inference gate, or a training gate with Adam. */
    public FitGate(long batch, long memory, String memoryText, BatchFit.By by) {
        this(batch, memory, memoryText, by, Optimizer.ADAM);
    }

    /**
     * The figure a mode and a --by name choose: in training mode the training memory (one figure, so a --by is
     * refused), else the --by figure, peak by default.
     *
     * @param modeName what the mode is called where it was written ({@code --mode}, {@code fit-mode})
     * @param byName   likewise for the figure ({@code --by}, {@code fit-by})
     */
    public static BatchFit.By figure(String mode, String by, String modeName, String byName) {
        Mode chosen = mode == null ? Mode.INFERENCE : Mode.parse(modeName, mode);
        if (chosen == Mode.TRAINING) {
            if (by != null) {
                throw new UsageException(byName + " " + by.strip() + " applies to inference only: training memory is one figure,"
                        + " so drop " + byName + " or use " + modeName + " inference.");
            }
            return BatchFit.By.TRAINING;
        }
        return by == null ? BatchFit.By.PEAK : BatchFit.By.parse(by.strip());
    }

    /**
     * What the memory options of {@code tally fit} and {@code tally check --fit-batch} choose: the figure and, for
     * training, the optimizer.
     */
    public record Choice(BatchFit.By by, Optimizer optimizer) {
        /**
         * Reads {@code --mode}, {@code --by} and {@code --optimizer} as typed (each null when not given): the figure as
         * {@link FitGate#figure} chooses it, the optimizer adam unless named; an optimizer outside training mode is
         * refused, as it would change nothing.
         */
        public static Choice of(String mode, String by, String optimizer) {
            BatchFit.By figure = figure(mode, by, "--mode", "--by");
            if (optimizer != null && figure != BatchFit.By.TRAINING) {
                throw new UsageException("--optimizer " + optimizer.strip() + " applies to training memory; add --mode training.");
            }
            return new Choice(figure, optimizer == null ? Optimizer.ADAM : Optimizer.parse(optimizer));
        }
    }

    /** How a test case names the limit: {@code 16GiB at batch 256 by peak}, {@code ... by training (adam)}. */
    public String limitText() {
        return memoryText + " at batch " + batch + " by " + figureText();
    }

    /** {@code peak}, {@code largest}, {@code training (adam)}. */
    public String figureText() {
        return by == BatchFit.By.TRAINING ? "training (" + optimizer.displayName() + ")" : by.displayName();
    }
}
