package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import java.util.List;
import java.util.Map;

/**
 * Reductions from TorchScript code: {@code mean}, {@code sum} and {@code amax} over given axes (ReduceMean, ReduceSum,
 * ReduceMax), the 2-norm {@code norm(x, 2, dim, keepdim)} (ReduceL2, as the exporter writes F.normalize's), and
 * {@code max}, {@code min} (of all elements, elementwise, or values and indices along an axis), and {@code topk} with
 * a known k (TopK: values and indices), and {@code sort} (TopK of the whole axis, as torch.onnx writes it).
 */
final class ReductionOps extends AtenFamily {

    ReductionOps(GraphBuilder graph) {
        super(graph);
        put(this::reduce, "mean", "sum", "amax");
        put(this::norm, "norm");
        put(this::maxOrMin, "max", "min");
        put(this::topk, "topk");
        put(this::sort, "sort");
    }

    private Object topk(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.topk(k, dim, largest, sorted): values and indices (ONNX TopK with K as an input). A k computed from data
        // (a count of kept boxes) is not known here, and the op stays listed.
        Args a = bind(name, args, kw, "self", "k", "dim", "largest", "sorted");
        if (!(a.get("k") instanceof Long)) {
            return AtenOps.NOT_HANDLED;
        }
        Map<String, Attribute> attributes = attrs("axis", new Attribute.Int(a.integer("dim", -1)),
                "largest", new Attribute.Int(a.flag("largest", true) ? 1 : 0), "sorted", new Attribute.Int(a.flag("sorted", true) ? 1 : 0));
        List<TensorValue> outputs = graph.emit("TopK", List.of(a.tensor("self").name(), graph.ints(a.integer("k", 0)).name()), attributes, 2,
                site.layer(), site.source());
        return new TupleValue(java.util.Arrays.asList(outputs.get(0), outputs.get(1)));
    }

    private Object sort(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.sort(dim, descending): values and indices of the whole axis in order, which torch.onnx writes as TopK with
        // K the axis size (largest = descending). A stable sort orders ties as TopK may not; the shapes are the same.
        Args a = bind(name, args, kw, "self", "dim", "descending", "stable");
        TensorValue self = a.tensor("self");
        if (!self.known() || self.info().rank() == 0) {
            return AtenOps.NOT_HANDLED;
        }
        long dim = a.integer("dim", -1);
        long size = self.info().shape().dim((int) (dim < 0 ? dim + self.info().rank() : dim));
        Map<String, Attribute> attributes = attrs("axis", new Attribute.Int(dim),
                "largest", new Attribute.Int(a.flag("descending", false) ? 1 : 0), "sorted", new Attribute.Int(1));
        List<TensorValue> outputs = graph.emit("TopK", List.of(self.name(), graph.ints(size).name()), attributes, 2,
                site.layer(), site.source());
        return new TupleValue(java.util.Arrays.asList(outputs.get(0), outputs.get(1)));
    }

    private Object maxOrMin(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // torch.max(x): the largest element (ReduceMax over every axis); torch.max(x, y): elementwise (Max);
        // torch.max(x, dim, keepdim): values and indices, as torch.onnx writes them (ReduceMax and ArgMax; wav2vec2's
        // attention subtracts the row maximum before its softmax).
        boolean max = name.equals("max");
        if (args.size() >= 2 && args.get(1) instanceof TensorValue || kw.containsKey("other")) {
            Args a = bind(name, args, kw, "self", "other");
            return emit(max ? "Max" : "Min", site, attrs(), a.tensor("self"), a.tensor("other"));
        }
        Args a = bind(name, args, kw, "self", "dim", "keepdim");
        if (!a.has("dim")) {
            return emit(max ? "ReduceMax" : "ReduceMin", site, attrs("keepdims", new Attribute.Int(0)), a.tensor("self"));
        }
        long dim = a.integer("dim", 0);
        Attribute keep = new Attribute.Int(a.flag("keepdim", false) ? 1 : 0);
        TensorValue values = emit(max ? "ReduceMax" : "ReduceMin", site, attrs("axes", Attribute.ints(dim), "keepdims", keep), a.tensor("self"));
        TensorValue indices = emit(max ? "ArgMax" : "ArgMin", site, attrs("axis", new Attribute.Int(dim), "keepdims", keep), a.tensor("self"));
        return new TupleValue(java.util.Arrays.asList(values, indices));
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
