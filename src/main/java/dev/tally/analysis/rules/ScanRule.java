package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.Subgraphs;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Scan (opset 9 on): the body runs once per slice along each scan input's axis ({@code scan_input_axes}, 0 by
 * default); it is analysed once with the states and one slice of each scan input, and the cost is L times the body's
 * for a scan length L. Outputs: the final states, then each scan output stacked along its {@code scan_output_axes}
 * (docs/conventions.md, "Control flow").
 */
public final class ScanRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("initial_state_and_scan_inputs...");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        Scanned scanned = scan(ctx);
        List<TensorInfo> body = scanned.body().outputs();
        int states = scanned.states();
        List<TensorInfo> outputs = new ArrayList<>();
        for (int i = 0; i < states; i++) {
            TensorInfo after = body.get(i);
            TensorInfo before = scanned.formals().get(i);
            outputs.add(after != null && after.shape().equals(before.shape()) ? after : null);
        }
        List<Long> axes = ctx.attrLongs("scan_output_axes", List.of());
        for (int i = states; i < body.size(); i++) {
            TensorInfo slice = body.get(i);
            if (slice == null) {
                outputs.add(null);
                continue;
            }
            int k = i - states;
            long axis = k < axes.size() ? axes.get(k) : 0;
            int at = Axes.normalizeBoundary(ctx, axis, slice.rank());
            List<Long> dims = new ArrayList<>(slice.shape().dims());
            dims.add(at, scanned.length());
            outputs.add(TensorInfo.of(slice.dtype(), new Shape(dims)));
        }
        ctx.note("the body runs " + scanned.length() + " times, once per slice of the scan axis");
        return outputs;
    }

    @Override
    public Cost cost(OpContext ctx) {
        Scanned scanned = scan(ctx);
        return LoopRule.times(scanned.body().cost(), scanned.length());
    }

    private record Scanned(Subgraphs.Body body, List<TensorInfo> formals, int states, long length) {
    }

    private static Scanned scan(OpContext ctx) {
        List<TensorInfo> all = ctx.variadic("initial_state_and_scan_inputs");
        long scans = ctx.attrLong("num_scan_inputs");
        if (scans < 1 || scans > all.size()) {
            throw ctx.fail("num_scan_inputs is " + scans + ", expected 1 to " + all.size() + " (its inputs)");
        }
        int states = (int) (all.size() - scans);
        List<Long> axes = ctx.attrLongs("scan_input_axes", List.of());
        List<TensorInfo> formals = new ArrayList<>(all.subList(0, states));
        long length = -1;
        for (int i = states; i < all.size(); i++) {
            TensorInfo input = all.get(i);
            int k = i - states;
            int axis = Axes.normalize(ctx, k < axes.size() ? axes.get(k) : 0, input.rank());
            long size = input.shape().dim(axis);
            if (length >= 0 && size != length) {
                throw ctx.fail("its scan inputs have lengths " + length + " and " + size + " along their scan axes");
            }
            length = size;
            List<Long> dims = new ArrayList<>(input.shape().dims());
            dims.remove(axis);
            formals.add(TensorInfo.of(input.dtype(), new Shape(dims)));
        }
        return new Scanned(ctx.subgraph("body", formals), formals, states, length);
    }
}
