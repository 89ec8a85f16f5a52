package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import java.util.List;
import java.util.Map;

/**
 * Reductions from TorchScript code: {@code mean}, {@code sum} and {@code amax} over given axes (ReduceMean, ReduceSum,
 * ReduceMax), and the 2-norm {@code norm(x, 2, dim, keepdim)} (ReduceL2, as the exporter writes F.normalize's).
 */
final class ReductionOps extends AtenFamily {

    ReductionOps(GraphBuilder graph) {
        super(graph);
        put(this::reduce, "mean", "sum", "amax");
        put(this::norm, "norm");
    }

    private Object norm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // F.normalize (Swin V2's cosine attention) calls norm(x, 2., [dim], True); other orders have no rule here.
        Args a = bind(name, args, kw, "self", "p", "dim", "keepdim", "dtype");
        if (a.has("dtype") || a.real("p", 2) != 2) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = attrs("keepdims", new Attribute.Int(a.flag("keepdim", false) ? 1 : 0));
        if (a.has("dim")) {
            attributes.put("axes", new Attribute.Ints(a.ints("dim", 1, null)));
        }
        return emit("ReduceL2", site, attributes, a.tensor("self"));
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
