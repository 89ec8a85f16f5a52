package dev.tally.budget;

import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Optimizer;
import dev.tally.analysis.ResolvedInput;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Shape;
import dev.tally.ir.Names;
import dev.tally.ir.UsageException;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Totals;
import dev.tally.report.Units;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The largest batch whose memory fits a limit ({@code tally fit}, {@code tally check --fit-batch}): the shape pass
 * runs again at every candidate batch, so the memory at each batch comes from exact shapes, never from scaling the
 * memory at batch 1. Doubling finds the first batch that does not fit; a binary search between it and the last
 * that did finds the answer. Memory grows with the batch, which is what makes the search exact.
 */
public final class BatchFit {
    /** Largest batch tried; past it, a model that still fits is reported as fitting at this batch. */
    public static final long MAX_BATCH = 1L << 31;

    private final BiFunction<Path, Map<String, Shape>, Model> loader;
    private final Analyzer analyzer;
    private final Optimizer optimizer;

    public BatchFit(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer) {
        this(loader, analyzer, Optimizer.ADAM);
    }

    /** @param optimizer whose state {@link By#TRAINING} counts */
    public BatchFit(BiFunction<Path, Map<String, Shape>, Model> loader, Analyzer analyzer, Optimizer optimizer) {
        this.loader = loader;
        this.analyzer = analyzer;
        this.optimizer = optimizer;
    }

    /** Which memory figure must fit (docs/conventions.md, "Memory"). */
    public enum By {
        /** Weights (params and buffers) plus the peak of live activations in inference. */
        PEAK("peak", "weights + peak activations (inference)"),
        /** The largest single activation: the assignment's "network bottleneck" convention. */
        LARGEST("largest", "largest single activation"),
        /** One training step (docs/conventions.md, "Training memory"): {@code --mode training}, never a --by name. */
        TRAINING("training", "training memory (params, gradients, optimizer state, saved activations, backward transient)");

        private final String displayName;
        private final String description;

        By(String displayName, String description) {
            this.displayName = displayName;
            this.description = description;
        }

        public String displayName() {
            return displayName;
        }

        public String description() {
            return description;
        }

        /** An inference figure by its {@code --by} name (training memory is chosen by the mode, never by name). */
        public static By parse(String text) {
            return Names.parse("--by", text, List.of(PEAK, LARGEST), By::displayName);
        }

        long of(Totals totals) {
            return switch (this) {
                case PEAK -> Math.addExact(totals.paramBytes(), totals.peakActivationBytes());
                case LARGEST -> totals.largestActivationBytes();
                case TRAINING -> totals.trainingBytes();
            };
        }
    }

    /** The memory at one batch size. */
    public record Point(long batch, long bytes) {
    }

    /**
     * @param batch  the largest batch that fits; 0 when not even batch 1 does
     * @param at     the memory at {@code batch} (at batch 1 when none fits)
     * @param next   the memory at {@code batch + 1}, which does not fit; absent only past {@link #MAX_BATCH}
     * @param table  the memory at 1, 2, 4, ... up to the answer
     * @param inputs the inputs at the answer (batch 1 when none fits), with their exact shapes
     * @param weightBytes params and buffers, the part of {@link By#PEAK} that does not grow with the batch
     */
    public record Result(long limit, By by, long batch, Point at, java.util.Optional<Point> next, List<Point> table,
                         List<ResolvedInput> inputs, long weightBytes) {
        public Result {
            table = List.copyOf(table);
            inputs = List.copyOf(inputs);
        }

        public boolean fits() {
            return batch > 0;
        }
    }

    /**
     * Reads a memory size as typed: KB, MB, GB decimal, KiB, MiB, GiB binary. The one place {@code fit} and the
     * {@code --fit-batch} gate parse sizes, so that a change of unit parser is made here.
     */
    public static long parseMemory(String text) {
        try {
            return Units.parseBytes(text);
        } catch (Units.UnitFormatException e) {
            throw new UsageException("--memory " + e.getMessage() + ".");
        }
    }

    /** The largest batch of {@code file} whose memory by {@code by} is at most {@code limit} bytes. */
    public Result fit(Path file, Map<String, Shape> shapes, long limit, By by) {
        Candidate model = new Candidate(file, shapes);
        Summary one = model.at(1);
        List<Point> table = new ArrayList<>();
        Point first = new Point(1, by.of(one.totals()));
        if (first.bytes() > limit) {
            return new Result(limit, by, 0, first, java.util.Optional.empty(), List.of(first), model.inputs(1),
                    one.totals().paramBytes());
        }
        table.add(first);
        long fits = 1;
        long fails = 0;
        while (fails == 0 && fits < MAX_BATCH) {
            long batch = fits * 2;
            long bytes = model.bytesAt(batch, by);
            if (bytes <= limit) {
                table.add(new Point(batch, bytes));
                fits = batch;
            } else {
                fails = batch;
            }
        }
        if (fails == 0) {
            return new Result(limit, by, fits, table.get(table.size() - 1), java.util.Optional.empty(), table,
                    model.inputs(fits), one.totals().paramBytes());
        }
        while (fails - fits > 1) {
            long middle = fits + (fails - fits) / 2;
            if (model.bytesAt(middle, by) <= limit) {
                fits = middle;
            } else {
                fails = middle;
            }
        }
        Point at = new Point(fits, model.bytesAt(fits, by));
        if (table.get(table.size() - 1).batch() != fits) {
            table.add(at);
        }
        return new Result(limit, by, fits, at, java.util.Optional.of(new Point(fits + 1, model.bytesAt(fits + 1, by))),
                table, model.inputs(fits), one.totals().paramBytes());
    }

    /** The memory of {@code file} at exactly {@code batch} by {@code by}. */
    public long bytesAt(Path file, Map<String, Shape> shapes, long batch, By by) {
        return new Candidate(file, shapes).bytesAt(batch, by);
    }

    /** A model whose inputs are re-shaped per batch; TorchScript is read again per batch, as its graph depends on shapes. */
    private final class Candidate {
        private final Path file;
        private final Model first;
        private final List<ResolvedInput> resolved;
        private final boolean unnamed;
        /** Whether a batch axis the file fixed was opened because --input named it: another batch may not run. */
        private final boolean opened;
        private final long exportedBatch;

        Candidate(Path file, Map<String, Shape> shapes) {
            this.file = file;
            Model loaded = loader.apply(file, shapes);
            // An --input (explicit batch or Bx3x224x224) says which axis is the batch, also where the file fixed it.
            this.first = dev.tally.analysis.InputShapes.openBatch(loaded, shapes.keySet());
            this.opened = first != loaded;
            this.exportedBatch = loaded.graph().inputs().stream().flatMap(v -> v.type().stream())
                    .filter(t -> !t.dims().isEmpty() && t.dims().get(0) instanceof dev.tally.ir.Dim.Known)
                    .map(t -> ((dev.tally.ir.Dim.Known) t.dims().get(0)).value()).findFirst().orElse(1L);
            this.resolved = dev.tally.analysis.InputShapes.resolve(first, shapes);
            this.unnamed = shapes.containsKey(dev.tally.analysis.InputShapes.UNNAMED);
            for (ResolvedInput input : resolved) {
                if (input.source() == ResolvedInput.Source.MODEL || input.shape().rank() == 0) {
                    List<String> dims = new ArrayList<>(input.shape().dims().stream().map(String::valueOf).toList());
                    if (!dims.isEmpty()) {
                        dims.set(0, "B");
                    }
                    String batched = String.join("x", dims);
                    throw new UsageException(file.getFileName() + ": input '" + input.name() + "' has fixed sizes "
                            + input.shape() + " and no symbolic batch, so Tally cannot tell which axis is the batch; pass --input "
                            + input.name() + "=" + batched + " (or an explicit batch, " + input.name() + "=" + input.shape()
                            + ") to take its first axis as the batch.");
                }
            }
        }

        Map<String, Shape> shapesAt(long batch) {
            dev.tally.analysis.InputShapes.Overrides shapes = new dev.tally.analysis.InputShapes.Overrides();
            for (ResolvedInput input : resolved) {
                long[] dims = input.shape().toArray();
                dims[0] = batch;
                shapes.with(unnamed ? dev.tally.analysis.InputShapes.UNNAMED : input.name(), Shape.of(dims), input.dtype());
            }
            return shapes;
        }

        Summary at(long batch) {
            Map<String, Shape> shapes = shapesAt(batch);
            Model model = first.format() == ModelFormat.TORCHSCRIPT && batch != resolved.get(0).shape().dim(0)
                    ? loader.apply(file, shapes) : first;
            return SummaryBuilder.build(analyzer.analyze(model, shapes, false), 0, optimizer);
        }

        long bytesAt(long batch, By by) {
            try {
                return by.of(at(batch).totals());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            } catch (dev.tally.ir.ModelException e) {
                // A size past 64 bits at a large batch is memory no machine has: that batch does not fit.
                if (batch > 1 && e.getMessage() != null && e.getMessage().contains("overflows a 64-bit integer")) {
                    return Long.MAX_VALUE;
                }
                throw bakedIn(batch, e);
            } catch (dev.tally.ir.TallyException e) {
                throw bakedIn(batch, e);
            }
        }

        /**
         * The error of a graph that was exported at a fixed batch and does not run at another (a Reshape to
         * {@code [1, ...]}, as ViT's and ShuffleNet's exports keep): one sentence saying so; any other error as it is.
         */
        private RuntimeException bakedIn(long batch, dev.tally.ir.TallyException e) {
            long exported = exportedBatch;
            if (!opened || batch == exported) {
                return e;
            }
            String why = String.valueOf(e.getMessage());
            return new dev.tally.ir.ModelException(file.getFileName() + " was exported at batch " + exported + " and does not run at"
                    + " batch " + batch + " (" + (why.endsWith(".") ? why.substring(0, why.length() - 1) : why) + "): the graph keeps"
                    + " its batch in a fixed size; re-export it with a dynamic batch axis (torch.onnx.export's"
                    + " dynamic_axes={'input': {0: 'batch'}}).");
        }

        List<ResolvedInput> inputs(long batch) {
            List<ResolvedInput> inputs = new ArrayList<>();
            for (ResolvedInput input : resolved) {
                long[] dims = input.shape().toArray();
                dims[0] = batch;
                inputs.add(new ResolvedInput(input.name(), input.dtype(), Shape.of(dims), input.source()));
            }
            return inputs;
        }
    }
}
