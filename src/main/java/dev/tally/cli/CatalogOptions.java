package dev.tally.cli;

import dev.tally.budget.BatchFit;
import dev.tally.catalog.MemoryFigures;
import picocli.CommandLine.Option;

/**
 * The options {@code tally catalog} and {@code tally compare MODEL --catalog} share, read the same way by both: which
 * rows ({@code --task}, {@code --where}), in what order ({@code --sort}), and the memory each row's fitBatch must fit.
 */
final class CatalogOptions {
    @Option(names = "--task", paramLabel = "NAME", defaultValue = "classification",
            description = "The catalog task: classification, quantization, segmentation, detection, video, optical_flow or all (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--sort", paramLabel = "KEY", defaultValue = "macs",
            description = "macs, flops, params, size, memory, fitBatch, acc1, acc5, miou, box_map, task, family, builder, weights, ... (default: ${DEFAULT-VALUE}).")
    String sort;

    @Option(names = "--where", paramLabel = "EXPR", description = "Keep the catalog rows that satisfy EXPR, e.g. \"acc1>=75 and macs<=2G\".")
    String where;

    @Option(names = "--memory", paramLabel = "SIZE",
            description = "Add each row's fitBatch: the largest batch whose memory fits SIZE (12GiB), found as tally fit finds it.")
    String memory;

    @Option(names = "--by", paramLabel = "FIGURE", defaultValue = "peak",
            description = "With --memory, what must fit: peak (weights plus peak activations in inference) or largest "
                    + "(the largest single activation). Default: ${DEFAULT-VALUE}.")
    String by;

    /** {@code --memory} and {@code --by}, or null without {@code --memory}. */
    MemoryFigures.Budget budget() {
        BatchFit.By figure = BatchFit.By.parse(by);
        return memory == null ? null : new MemoryFigures.Budget(BatchFit.parseMemory(memory), figure);
    }
}
