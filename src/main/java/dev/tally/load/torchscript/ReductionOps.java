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
 * {@code max}, {@code min} (of all elements, elementwise, or values and indices along an axis), {@code topk} with
 * a known or bounded k (TopK: values and indices), {@code sort} (TopK of the whole axis, as torch.onnx writes it), and
 * {@code argmax}, {@code argmin} (ArgMax, ArgMin; with no dim, of the flattened tensor, as torch.onnx writes it), and
 * {@code std}, {@code var} (ReduceMean, Sub, Mul, ReduceMean, Mul by the correction, Sqrt for std: torch.onnx's chain).
 */
final class ReductionOps extends AtenFamily {

    ReductionOps(GraphBuilder graph) {
        super(graph);
        put(this::reduce, "mean", "sum", "amax");
        put(this::norm, "norm");
        put(this::maxOrMin, "max", "min");
        put(this::topk, "topk");
        put(this::argmax, "argmax", "argmin");
        put(this::sort, "sort");
        put(this::variance, "std", "var");
    }

    private Object variance(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // std(x, dim, unbiased, keepdim) and var(...): torch.onnx's chain. The mean of the squared deviations over the
        // reduced elements n, times n / (n - correction) (1 when unbiased, the default; std.correction gives it), and
        // for std its square root. HDemucs normalises its input and spectrogram by their std.
        boolean correctionForm = kw.containsKey("correction");
        Args a = args.size() == 2 && args.get(1) instanceof Boolean
                ? bind(name, args, kw, "self", "unbiased")
                : correctionForm ? bind(name, args, kw, "self", "dim", "correction", "keepdim")
                : bind(name, args, kw, "self", "dim", "unbiased", "keepdim");
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        List<Long> axes = a.has("dim") ? a.ints("dim", 1, null) : null;
        long n = 1;
        for (int axis = 0; axis < self.info().rank(); axis++) {
            final int at = axis;
            if (axes == null || axes.stream().anyMatch(d -> self.info().shape().normalizeAxis((int) (long) d) == at)) {
                n = Math.multiplyExact(n, self.info().shape().dim(axis));
            }
        }
        long correction = correctionForm ? a.integer("correction", 1) : a.flag("unbiased", true) ? 1 : 0;
        Map<String, Attribute> keep = attrs("keepdims", new Attribute.Int(1));
        Map<String, Attribute> reduced = attrs("keepdims", new Attribute.Int(a.flag("keepdim", false) ? 1 : 0));
        if (axes != null) {
            keep.put("axes", new Attribute.Ints(axes));
            reduced.put("axes", new Attribute.Ints(axes));
        }
        TensorValue mean = emit("ReduceMean", site, keep, self);
        TensorValue deviation = emit("Sub", site, attrs(), self, mean);
        TensorValue variance = emit("ReduceMean", site, reduced, emit("Mul", site, attrs(), deviation, deviation));
        if (correction != 0) {
            variance = emit("Mul", site, attrs(), variance, graph.scalar((double) n / (n - correction)));
        }
        return name.equals("std") ? emit("Sqrt", site, attrs(), variance) : variance;
    }

    private Object topk(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.topk(k, dim, largest, sorted): values and indices (ONNX TopK with K as an input). A k computed from a
        // data-dependent size (RetinaNet's min(topk_candidates, kept.size(0))) is taken at its bound, and AtenOps marks
        // the outputs data-dependent; a k computed from values stays listed.
        Args a = bind(name, args, kw, "self", "k", "dim", "largest", "sorted");
        if (!(a.get("k") instanceof Long) && !(a.get("k") instanceof Values.Bounded && !Values.isHeld(a.get("k")))) {
            return AtenOps.NOT_HANDLED;
        }
        return topK(a.tensor("self"), a.integer("k", 0), a.integer("dim", -1), a.flag("largest", true), a.flag("sorted", true), site);
    }

    private Object topK(TensorValue self, long k, long dim, boolean largest, boolean sorted, Site site) {
        Map<String, Attribute> attributes = attrs("axis", new Attribute.Int(dim), "largest", new Attribute.Int(largest ? 1 : 0),
                "sorted", new Attribute.Int(sorted ? 1 : 0));
        List<TensorValue> outputs = graph.emit("TopK", List.of(self.name(), graph.ints(k).name()), attributes, 2,
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

    private Object argmax(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.argmax(dim, keepdim) (keypointrcnn's heatmaps_to_keypoints); with no dim, the index into the flattened x.
        Args a = bind(name, args, kw, "self", "dim", "keepdim");
        String op = name.equals("argmax") ? "ArgMax" : "ArgMin";
        Attribute keep = new Attribute.Int(a.flag("keepdim", false) ? 1 : 0);
        if (!a.has("dim")) {
            TensorValue flat = emit("Reshape", site, attrs(), a.tensor("self"), graph.ints(-1));
            return emit(op, site, attrs("axis", new Attribute.Int(0), "keepdims", new Attribute.Int(0)), flat);
        }
        return emit(op, site, attrs("axis", new Attribute.Int(a.integer("dim", 0)), "keepdims", keep), a.tensor("self"));
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
