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
 * ONNX If: both branches are analysed (names they read from the enclosing graph resolve there). When {@code cond} is a
 * constant the shape pass knows, the branch taken gives the outputs and the cost. Otherwise the cost is the larger
 * branch's (by MACs, then ops) and is marked data-dependent, an upper bound; the outputs are the branches' union, the
 * larger size per axis, when their ranks agree, else the branch {@code cond}'s bound value selects when the shape pass
 * knows one, else unresolved (docs/conventions.md, "Control flow").
 */
public final class IfRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("cond");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo cond = ctx.input("cond");
        Subgraphs.Body then = ctx.subgraph("then_branch", List.of());
        Subgraphs.Body otherwise = ctx.subgraph("else_branch", List.of());
        int count = ctx.node().outputs().size();
        if (then.outputs().size() < count || otherwise.outputs().size() < count) {
            throw ctx.fail("its branches give " + then.outputs().size() + " and " + otherwise.outputs().size()
                    + " outputs for " + count + " declared");
        }
        Boolean value = value(cond);
        if (value != null && !cond.dataDependent()) {
            ctx.note("the condition is constant " + value + ", so only the " + (value ? "then" : "else")
                    + " branch runs and is counted");
            return new ArrayList<>((value ? then : otherwise).outputs());
        }
        List<TensorInfo> outputs = new ArrayList<>();
        boolean byValue = false;
        for (int i = 0; i < count; i++) {
            TensorInfo a = then.outputs().get(i);
            TensorInfo b = otherwise.outputs().get(i);
            TensorInfo union = union(a, b);
            if (union == null && value != null) {
                union = value ? a : b;
                byValue = true;
            }
            outputs.add(union == null ? null : union.asDataDependent());
        }
        ctx.bound("the condition depends on the data, so the cost is the larger branch's"
                + (byValue ? "; outputs whose ranks differ by branch take the branch the condition's bound value selects ("
                + (value ? "then" : "else") + ")" : "; the outputs are the larger of the two branches' sizes"));
        return outputs;
    }

    @Override
    public Cost cost(OpContext ctx) {
        TensorInfo cond = ctx.input("cond");
        Cost then = ctx.subgraph("then_branch", List.of()).cost();
        Cost otherwise = ctx.subgraph("else_branch", List.of()).cost();
        Boolean value = value(cond);
        if (value != null && !cond.dataDependent()) {
            return value ? then : otherwise;
        }
        return larger(then, otherwise);
    }

    static Cost larger(Cost a, Cost b) {
        if (a.macs() != b.macs()) {
            return a.macs() > b.macs() ? a : b;
        }
        return a.ops() >= b.ops() ? a : b;
    }

    private static Boolean value(TensorInfo cond) {
        if (!cond.hasData() || cond.numel() != 1) {
            return null;
        }
        return cond.data().get().doubleAt(0) != 0;
    }

    /** The larger size per axis of two same-rank values; null when either is unresolved or the ranks differ. */
    private static TensorInfo union(TensorInfo a, TensorInfo b) {
        if (a == null || b == null || a.rank() != b.rank()) {
            return null;
        }
        if (a.shape().equals(b.shape()) && a.data().equals(b.data())) {
            return a;
        }
        long[] dims = new long[a.rank()];
        for (int axis = 0; axis < dims.length; axis++) {
            dims[axis] = Math.max(a.shape().dim(axis), b.shape().dim(axis));
        }
        return TensorInfo.of(a.dtype(), Shape.of(dims));
    }
}
