package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.Subgraphs;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Loop: the body is analysed with the iteration number, a true condition and the loop-carried values. With a trip
 * count M the shape pass knows and a body that cannot end the loop early, the cost is M times the body's (once per
 * iteration whose carried shapes change, up to {@value #SHAPE_ITERATIONS}); stacked outputs are {@code [M, ...]}. An M
 * computed from data, or an early exit, makes M a bound and the counts data-dependent; with no M (a while loop, or
 * torch.onnx's INT64_MAX) the count is unknown: the cost is one iteration's, reported as such, and the stacked outputs
 * stay unresolved (docs/conventions.md, "Control flow").
 */
public final class LoopRule implements OpRule {
    /** Iterations analysed one by one while carried values change shape; beyond this the outputs stay unresolved. */
    static final int SHAPE_ITERATIONS = 256;

    @Override
    public List<String> inputs() {
        return List.of("M?", "cond?", "v_initial...");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        Unrolled unrolled = unroll(ctx);
        ctx.note(unrolled.note());
        if (unrolled.dataDependent()) {
            ctx.bound(unrolled.trips() < 0 ? "the trip count is unknown, so the cost is one iteration's"
                    : "the trip count is at most " + unrolled.trips());
        }
        return unrolled.outputs();
    }

    @Override
    public Cost cost(OpContext ctx) {
        return unroll(ctx).cost();
    }

    /** What the loop gives: outputs (null where unresolved), the cost, the trips (-1 when unknown). */
    private record Unrolled(List<TensorInfo> outputs, Cost cost, long trips, boolean dataDependent, String note) {
    }

    private static Unrolled unroll(OpContext ctx) {
        List<TensorInfo> initial = ctx.variadic("v_initial");
        long trips = -1;
        boolean bounded = false;
        String why;
        if (ctx.optionalInput("M").isPresent() && ctx.input("M").hasData() && ctx.input("M").numel() == 1
                && ctx.input("M").data().get().longAt(0) != Long.MAX_VALUE) {
            trips = Math.max(0, ctx.input("M").data().get().longAt(0));
            bounded = ctx.input("M").dataDependent();
            why = "trip count " + trips + (bounded ? " (a bound: M is computed from data)" : "");
        } else {
            why = "trip count unknown (no M the shape pass knows)";
        }
        TensorInfo cond = ctx.optionalInput("cond").orElse(null);
        if (cond != null && cond.hasData() && cond.numel() == 1 && cond.data().get().longAt(0) == 0
                && !cond.dataDependent()) {
            trips = 0;
            why = "the condition is false on entry, so no iteration runs";
        }
        List<TensorInfo> carried = new ArrayList<>(initial);
        Cost cost = Cost.ZERO;
        Subgraphs.Body body = null;
        long done = 0;
        int analysed = 0;
        boolean stable = false;
        // A carried sequence grows in every iteration (torch.onnx's tensor_split appends one slice per iteration, its
        // bounds read from a table by the iteration number): each iteration is analysed with its own number.
        boolean numbered = trips >= 0 && initial.stream().anyMatch(v -> v != null && v.isSequence());
        do {
            body = ctx.subgraph("body", formals(carried, numbered ? done : -1));
            if (body.outputs().size() < 1 + carried.size()) {
                throw ctx.fail("its body gives " + body.outputs().size() + " outputs, expected the condition and "
                        + carried.size() + " loop-carried values first");
            }
            TensorInfo next = body.outputs().get(0);
            if (!(next != null && next.hasData() && next.numel() == 1 && next.data().get().longAt(0) != 0
                    && !next.dataDependent()) && trips > 0) {
                // The body may end the loop before M iterations: M is the bound.
                bounded = true;
            }
            List<TensorInfo> after = body.outputs().subList(1, 1 + carried.size());
            // Numbered iterations may differ in cost even when the carried values keep their shapes.
            stable = !numbered && sameShapes(after, carried);
            if (trips < 0) {
                cost = body.cost();
                if (!stable) {
                    carried = nulls(carried.size());
                }
                break;
            }
            if (trips == 0) {
                break;
            }
            if (stable) {
                cost = cost.plus(times(body.cost(), trips - done));
                break;
            }
            cost = cost.plus(body.cost());
            carried = new ArrayList<>(after);
            done++;
            analysed++;
        } while (done < trips && analysed < SHAPE_ITERATIONS && !carried.contains(null));
        boolean complete = trips >= 0 && (stable || done == trips || trips == 0);
        List<TensorInfo> outputs = new ArrayList<>();
        for (TensorInfo value : carried) {
            outputs.add(complete ? value : null);
        }
        if (trips >= 0 && !complete) {
            why += "; the loop-carried values change shape in every one of the first " + SHAPE_ITERATIONS
                    + " iterations, so the cost counts those and the outputs are unresolved";
        }
        for (int i = 1 + carried.size(); i < body.outputs().size() && outputs.size() < ctx.node().outputs().size(); i++) {
            TensorInfo slice = body.outputs().get(i);
            if (slice == null || trips < 0) {
                outputs.add(null);
                continue;
            }
            List<Long> dims = new ArrayList<>();
            dims.add(trips);
            dims.addAll(slice.shape().dims());
            outputs.add(TensorInfo.of(slice.dtype(), new Shape(dims)));
        }
        boolean dataDependent = trips < 0 || bounded || body.dataDependent();
        if (dataDependent) {
            outputs.replaceAll(o -> o == null ? null : o.asDataDependent());
        }
        String note = (trips < 0 ? why + ": the cost shown is one iteration's" : why + ": the body counted " + trips
                + " times") + (body == null ? "" : body.boundsNote());
        return new Unrolled(outputs, cost, trips, dataDependent, note);
    }

    /** @param iteration the iteration's number when the body is analysed per iteration, else -1 (unknown) */
    private static List<TensorInfo> formals(List<TensorInfo> carried, long iteration) {
        List<TensorInfo> formals = new ArrayList<>();
        formals.add(iteration < 0 ? TensorInfo.of(DType.INT64, Shape.scalar())
                : Values.of(DType.INT64, Shape.scalar(), new long[] {iteration}));
        // Inside an iteration the condition is true: the loop would have ended otherwise.
        formals.add(Values.of(DType.BOOL, Shape.scalar(), new long[] {1}));
        // Carried values enter without their values: they change from one iteration to the next.
        for (TensorInfo value : carried) {
            formals.add(value == null ? null : value.withoutValues());
        }
        return formals;
    }

    private static boolean sameShapes(List<TensorInfo> a, List<TensorInfo> b) {
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) == null || b.get(i) == null || !a.get(i).sameType(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<TensorInfo> nulls(int count) {
        List<TensorInfo> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(null);
        }
        return list;
    }

    static Cost times(Cost cost, long count) {
        return new Cost(Math.multiplyExact(cost.macs(), count), Math.multiplyExact(cost.ops(), count));
    }
}
