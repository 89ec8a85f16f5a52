package dev.tally.catalog;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.MemoryPass;
import dev.tally.budget.BatchFit;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.TallyException;
import dev.tally.ir.UsageException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Peak activation memory and the largest batch that fits, for the catalog's memory columns.
 *
 * <p>The one place these figures enter the catalog. {@link #STANDARD} gives the inference peak of
 * {@link MemoryPass} (docs/conventions.md, Part 3) at the row's input; {@link #fit} the largest batch whose memory
 * fits {@code --memory}, found exactly as {@code tally fit} finds it: {@link BatchFit} runs the shape pass again at
 * every batch it tries on the row's graph (its input dims opened, the row's input with the batch axis changed), so
 * the answer is never scaled from batch 1.
 */
public interface MemoryFigures {
    /** The inference peak at the row's input. */
    MemoryFigures STANDARD = analysis -> Optional.of(new Memory(MemoryPass.run(analysis).peakBytes(), null, ""));

    /** @param analysis the row's analysis at its input */
    Optional<Memory> of(Analysis analysis);

    /**
     * {@code memory} with the largest batch that fits {@code budget}, or with the reason there is none.
     *
     * @param opened the row's graph with every input dim symbolic, which {@link BatchFit} re-shapes per batch
     * @param input  the row's input; its first axis is the batch
     */
    static Memory fit(Memory memory, Analyzer analyzer, Model opened, Shape input, Budget budget) {
        return fit(memory, new BatchFit((file, shapes) -> opened, analyzer), opened.path(), Map.of(InputShapes.UNNAMED, input), budget);
    }

    /**
     * {@code memory} with the largest batch of {@code file} that fits {@code budget}, as {@code tally fit FILE} finds
     * it ({@code tally compare MODEL --catalog --memory SIZE} for the user's model), or with the reason there is none.
     */
    public static Memory fit(Memory memory, BatchFit search, Path file, Map<String, Shape> shapes, Budget budget) {
        try {
            BatchFit.Result fit = search.fit(file, shapes, budget.bytes(), budget.by());
            return new Memory(memory.peakActivationBytes(), fit.batch(), "");
        } catch (UsageException e) {
            // What tally fit would ask for (a file with fixed sizes needs --input to name its batch axis).
            return new Memory(memory.peakActivationBytes(), null, "no fitBatch: " + withoutPeriod(e.getMessage()));
        } catch (TallyException | ArithmeticException e) {
            // A graph traced at batch 1 may keep that batch in a Reshape: then only batch 1 has shapes.
            return new Memory(memory.peakActivationBytes(), null, "no fitBatch: the graph does not run at another batch: "
                    + withoutPeriod(e.getMessage()));
        }
    }

    private static String withoutPeriod(String message) {
        String why = String.valueOf(message);
        return why.endsWith(".") ? why.substring(0, why.length() - 1) : why;
    }

    /** {@code --memory SIZE --by peak|largest}: what must fit, as {@code tally fit} takes it. */
    record Budget(long bytes, BatchFit.By by) {
    }

    /**
     * @param peakActivationBytes the most activation bytes alive at once during a forward pass
     * @param fitBatch            the largest batch that fits {@code --memory} (0 when not even batch 1 does), or null
     *                            without a budget or when {@code fitNote} says why not
     * @param fitNote             why there is no fitBatch under a budget; empty otherwise
     */
    record Memory(long peakActivationBytes, Long fitBatch, String fitNote) {
    }
}
