package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import java.util.List;
import java.util.Map;

/** Reductions from TorchScript code: {@code mean}, {@code sum} and {@code amax} over given axes (ReduceMean, ReduceSum, ReduceMax). */
final class ReductionOps extends AtenFamily {

    ReductionOps(GraphBuilder graph) {
        super(graph);
        put(this::reduce, "mean", "sum", "amax");
    }

    private Object reduce(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim", "keepdim", "dtype");
        Map<String, Attribute> attributes = attrs("keepdims", new Attribute.Int(a.flag("keepdim", false) ? 1 : 0));
        if (a.has("dim")) {
            attributes.put("axes", new Attribute.Ints(a.ints("dim", 1, null)));
        }
        String op = name.equals("mean") ? "ReduceMean" : name.equals("sum") ? "ReduceSum" : "ReduceMax";
        return emit(op, site, attributes, a.tensor("self"));
    }
}
