package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Indexing from TorchScript code: {@code select} (Gather of one index), {@code slice}, {@code index} (Gather, or
 * NonZero and GatherND for a boolean mask, or GatherND of several index tensors), {@code embedding} (Gather of rows),
 * {@code copy_} (Expand of the source to the destination's shape), {@code where} (Where, or alone NonZero's rows),
 * {@code nonzero}, {@code index_put_} (ScatterND) and {@code unique} (Unique). NonZero's and Unique's counts depend on
 * the data: at most their input's size.
 */
final class IndexingOps extends AtenFamily {

    IndexingOps(GraphBuilder graph) {
        super(graph);
        put(this::select, "select");
        put(this::slice, "slice");
        put(this::index, "index");
        put(this::copy, "copy");
        put(this::embedding, "embedding");
        put(this::where, "where");
        put(this::nonzero, "nonzero");
        put(this::indexPut, "index_put");
        put(this::unique, "_unique2");
    }

    private Object select(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim", "index");
        TensorValue index = graph.scalar(a.integer("index", 0));
        return emit("Gather", site, attrs("axis", new Attribute.Int(a.integer("dim", 0))), a.tensor("self"), index);
    }

    private Object slice(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim", "start", "end", "step");
        Object from = a.get("start");
        Object to = a.get("end");
        boolean startKnown = from == null || from instanceof Long;
        boolean endKnown = to == null || to instanceof Long;
        if (!startKnown || !endKnown && !BoundedInts.isBounded(to)) {
            // A start or end read from the data (paste_mask_in_image's mask[y_0 - box[1]:y_1 - box[1]]): at most the whole
            // extent, data-dependent. Never a start at its bound, which would count a shorter slice than a run can take.
            return graph.withDataDependentSizes(() -> emit("Slice", site, attrs(), a.tensor("self"), graph.ints(0),
                    graph.ints(Long.MAX_VALUE), graph.ints(a.integer("dim", 0)), graph.ints(a.integer("step", 1))));
        }
        if (!endKnown) {
            // An end that is a size read from the data (x[:n]): the slice is longest at its bound, data-dependent.
            return graph.withDataDependentSizes(() -> emit("Slice", site, attrs(), a.tensor("self"), graph.ints(a.integer("start", 0)),
                    graph.ints(a.integer("end", Long.MAX_VALUE)), graph.ints(a.integer("dim", 0)), graph.ints(a.integer("step", 1))));
        }
        long start = a.integer("start", 0);
        long end = a.integer("end", Long.MAX_VALUE);
        return emit("Slice", site, attrs(), a.tensor("self"), graph.ints(start), graph.ints(end),
                graph.ints(a.integer("dim", 0)), graph.ints(a.integer("step", 1)));
    }

    private Object index(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x[idx] with one index tensor on the first axis is a Gather, as the ONNX exporter writes it.
        Args a = bind(name, args, kw, "self", "indices");
        List<Object> indices = AtenOps.items(a.get("indices"));
        if (indices != null && indices.size() > 1) {
            return indexSeveral(a.tensor("self"), indices, site);
        }
        if (indices == null || indices.size() != 1 || !(indices.get(0) instanceof TensorValue index)) {
            return AtenOps.NOT_HANDLED;
        }
        if (index.known() && index.info().dtype() == DType.BOOL) {
            // x[mask]: as torch.onnx writes it, NonZero (the kept positions, as many as the data says, at most
            // the mask's size), transposed to one row per position, then GatherND.
            return emit("GatherND", site, attrs(), a.tensor("self"), positions(index, site));
        }
        if (!index.known()) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("Gather", site, attrs("axis", new Attribute.Int(0)), a.tensor("self"), index);
    }

    /** A boolean mask's true positions, one row of indices per position: NonZero, transposed ({@code [n, rank]}). */
    private TensorValue positions(TensorValue mask, Site site) {
        TensorValue positions = emit("NonZero", site, attrs(), mask);
        return emit("Transpose", site, attrs("perm", Attribute.ints(1, 0)), positions);
    }

    /**
     * {@code x[i, j]} with integer index tensors on the leading axes (the RPN's {@code objectness[batch_idx, top_n_idx]}):
     * the indices broadcast together and stacked on a last axis pick elements of those axes, as GatherND does.
     */
    private Object indexSeveral(TensorValue self, List<Object> indices, Site site) {
        List<Long> shape = new java.util.ArrayList<>();
        for (Object item : indices) {
            if (!(item instanceof TensorValue index) || !index.known() || !index.info().dtype().isIntegral()) {
                return AtenOps.NOT_HANDLED;
            }
            shape = broadcast(shape, index.info().shape().dims());
            if (shape == null) {
                return AtenOps.NOT_HANDLED;
            }
        }
        TensorValue[] columns = new TensorValue[indices.size()];
        for (int i = 0; i < columns.length; i++) {
            TensorValue spread = emit("Expand", site, attrs(), (TensorValue) indices.get(i), graph.ints(toArray(shape)));
            columns[i] = emit("Unsqueeze", site, attrs(), spread, graph.ints(-1));
        }
        TensorValue stacked = emit("Concat", site, attrs("axis", new Attribute.Int(-1)), columns);
        return emit("GatherND", site, attrs(), self, stacked);
    }

    /** NumPy's broadcast of two shapes, or null when they do not broadcast. */
    private static List<Long> broadcast(List<Long> a, List<Long> b) {
        int rank = Math.max(a.size(), b.size());
        List<Long> out = new java.util.ArrayList<>();
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.size() ? 1 : a.get(i - (rank - a.size()));
            long y = i < rank - b.size() ? 1 : b.get(i - (rank - b.size()));
            if (x != y && x != 1 && y != 1) {
                return null;
            }
            out.add(x == 1 ? y : x);
        }
        return out;
    }

    private Object where(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // where(cond, x, y) picks elementwise (Where); where(cond) alone is nonzero(cond, as_tuple=True): one index
        // tensor per axis of cond, each as long as the data says, at most cond's size (NonZero's rows).
        if (args.size() + kw.size() > 1) {
            Args a = bind(name, args, kw, "condition", "self", "other");
            return emit("Where", site, attrs(), a.tensor("condition"), a.tensor("self"), a.tensor("other"));
        }
        TensorValue condition = bind(name, args, kw, "condition").tensor("condition");
        if (!condition.known()) {
            return AtenOps.NOT_HANDLED;
        }
        TensorValue positions = emit("NonZero", site, attrs(), condition);
        List<Object> rows = new java.util.ArrayList<>();
        for (int axis = 0; axis < condition.info().rank(); axis++) {
            rows.add(emit("Gather", site, attrs("axis", new Attribute.Int(0)), positions, graph.scalar((long) axis)));
        }
        return rows;
    }

    private Object nonzero(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // nonzero(x): [n, rank] indices of the nonzero elements, n at most x's size.
        return positions(bind(name, args, kw, "self").tensor("self"), site);
    }

    private Object unique(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // torch.unique(x) (aten::_unique2(self, sorted, return_inverse, return_counts)): the distinct elements, at most
        // x's size, with the inverse indices and counts, as ONNX Unique without an axis (batched_nms's classes).
        Args a = bind(name, args, kw, "self", "sorted", "return_inverse", "return_counts");
        List<TensorValue> outputs = graph.emit("Unique", List.of(a.tensor("self").name()),
                attrs("sorted", new Attribute.Int(a.flag("sorted", true) ? 1 : 0)), 4, site.layer(), site.source());
        return new Values.TupleValue(java.util.Arrays.asList(outputs.get(0), outputs.get(2), outputs.get(3)));
    }

    private Object indexPut(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x[idx] = v (index_put_ with one index tensor, integer or boolean mask): ScatterND of v, broadcast to the rows
        // picked, into x, as torch.onnx writes it; accumulate=True adds (reduction "add"). MultiScaleRoIAlign writes
        // each level's pooled boxes into its result this way.
        Args a = bind(name, args, kw, "self", "indices", "values", "accumulate");
        TensorValue self = a.tensor("self");
        List<Object> indices = AtenOps.items(a.get("indices"));
        if (!self.known() || indices == null || indices.size() != 1 || !(indices.get(0) instanceof TensorValue index)
                || !index.known()) {
            return AtenOps.NOT_HANDLED;
        }
        boolean mask = index.info().dtype() == DType.BOOL;
        TensorValue rows = mask ? positions(index, site) : emit("Unsqueeze", site, attrs(), index, graph.ints(-1));
        if (!rows.known()) {
            return AtenOps.NOT_HANDLED;
        }
        int picked = mask ? index.info().rank() : 1;
        List<Long> updates = new java.util.ArrayList<>(rows.info().shape().dims().subList(0, rows.info().rank() - 1));
        updates.addAll(self.info().shape().dims().subList(picked, self.info().rank()));
        TensorValue values = emit("Expand", site, attrs(), a.tensor("values"), graph.ints(toArray(updates)));
        Map<String, Attribute> attributes = a.flag("accumulate", false) ? attrs("reduction", new Attribute.Str("add")) : attrs();
        return emit("ScatterND", site, attributes, self, rows, values);
    }

    private Object embedding(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // A row of the table per index: Gather on axis 0, as torch.onnx writes it (padding_idx only changes the
        // gradient).
        Args a = bind(name, args, kw, "weight", "indices", "padding_idx", "scale_grad_by_freq", "sparse");
        return emit("Gather", site, attrs("axis", new Attribute.Int(0)), a.tensor("weight"), a.tensor("indices"));
    }

    private Object copy(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // dst.copy_(src): dst's values replaced by src broadcast to dst's shape; data movement, no arithmetic.
        Args a = bind(name, args, kw, "self", "src", "non_blocking");
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        TensorValue src = a.tensor("src");
        if (src.known() && src.info().rank() <= self.info().rank() && (graph.isSizeDependent(self) || graph.isSizeDependent(src))) {
            src = withinDestination(src, self, site);
        }
        return graph.sameSizesAs(emit("Expand", site, attrs(), src, shapeOf(self, site)), self);
    }

    /**
     * The source of a copy whose sizes depend on the data, cut to the destination's bounds where it is larger at its own
     * (paste_mask_in_image copies mask[y_0 - box[1]:y_1 - box[1], ...], at most 531 x 531, into a region of the 256 x 256
     * canvas): a run that copies has the two sizes equal (or the source's 1), so no more than the destination's bound, and
     * nothing real is cut; without the cut the sizes at their bounds would not fit together.
     */
    private TensorValue withinDestination(TensorValue src, TensorValue self, Site site) {
        int offset = self.info().rank() - src.info().rank();
        List<Long> axes = new java.util.ArrayList<>();
        List<Long> ends = new java.util.ArrayList<>();
        for (int axis = 0; axis < src.info().rank(); axis++) {
            long size = src.info().shape().dim(axis);
            long bound = self.info().shape().dim(axis + offset);
            if (size != 1 && size > bound) {
                axes.add((long) axis);
                ends.add(bound);
            }
        }
        if (axes.isEmpty()) {
            return src;
        }
        long[] starts = new long[axes.size()];
        return graph.withDataDependentSizes(() -> emit("Slice", site, attrs(), src, graph.ints(starts),
                graph.ints(toArray(ends)), graph.ints(toArray(axes))));
    }
}
