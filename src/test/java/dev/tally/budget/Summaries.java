package dev.tally.budget;

import dev.tally.ir.ModelFormat;
import dev.tally.report.LayerSummary;
import dev.tally.report.ModelInfo;
import dev.tally.report.Summary;
import dev.tally.report.Totals;
import dev.tally.report.UnsupportedOp;
import java.util.List;
import java.util.Optional;

/** Summaries with chosen totals, for tests of the logic that reads only figures. */
public final class Summaries {
    private Summaries() {
    }

    /** One layer holding every figure; flops are 2 x macs as the invariant wants. */
    public static Summary of(String path, long params, long buffers, long paramBytes, long macs, long ops, long activation) {
        Totals totals = new Totals(params, buffers, paramBytes, macs, 2 * macs, ops, activation);
        LayerSummary layer = new LayerSummary("body", "Conv", Optional.empty(), params, buffers, paramBytes, macs,
                2 * macs, ops, activation, 1, 0);
        return new Summary(new ModelInfo(path, ModelFormat.ONNX, ""), List.of(), List.of(), List.of(layer), totals,
                List.of(), 0, List.of(), 0).check();
    }

    /** The same, with an op no rule knows: its counts are lower bounds. */
    public static Summary incomplete(String path, long params, long macs) {
        Summary complete = of(path, params, 0, 4 * params, macs, macs, 0);
        return new Summary(complete.model(), List.of(), List.of(), complete.layers(), complete.totals(),
                List.of(new UnsupportedOp("Mystery", 2, List.of("m1", "m2"))), 0, List.of(), 0);
    }
}
