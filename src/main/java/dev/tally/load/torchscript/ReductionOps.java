package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Reductions from TorchScript code: {@code mean}, {@code sum} and {@code amax} over given axes (ReduceMean, ReduceSum,
 * ReduceMax), and {@code min} / {@code max} of one tensor (ReduceMin / ReduceMax over every axis, a 0-d tensor) or of
 * two (the element-wise Min / Max). {@code min(x, dim)}, which also returns indices, stays unsupported.
 */
final class ReductionOps extends AtenFamily {

    ReductionOps(GraphBuilder graph) {
        super(graph);
        put(this::reduce, "mean", "sum", "amax");
        put(this::extreme, "min", "max");
    }

    private Object extreme(String name, List<Object> args, Map<String, Object> kw, Site site) {
        boolean max = name.equals("max");
        if (args.size() == 1 && kw.isEmpty() && args.get(0) instanceof TensorValue self) {
            return emit(max ? "ReduceMax" : "ReduceMin", site, attrs("keepdims", new Attribute.Int(0)), self);
        }
        if (args.size() == 2 && kw.isEmpty() && args.get(0) instanceof TensorValue self && args.get(1) instanceof TensorValue other) {
            return emit(max ? "Max" : "Min", site, attrs(), self, other);
        }
        return AtenOps.NOT_HANDLED;
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
