package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Indexing from TorchScript code: {@code select} (Gather of one index), {@code slice}, {@code index} (Gather, or
 * NonZero and GatherND for a boolean mask), {@code embedding} (Gather of rows) and {@code copy_} (Expand of the source to
 * the destination's shape).
 */
final class IndexingOps extends AtenFamily {

    IndexingOps(GraphBuilder graph) {
        super(graph);
        put(this::select, "select");
        put(this::slice, "slice");
        put(this::index, "index");
        put(this::copy, "copy");
        put(this::embedding, "embedding");
    }

    private Object select(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim", "index");
        TensorValue index = graph.scalar(a.integer("index", 0));
        return emit("Gather", site, attrs("axis", new Attribute.Int(a.integer("dim", 0))), a.tensor("self"), index);
    }

    private Object slice(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim", "start", "end", "step");
        long start = a.integer("start", 0);
        long end = a.integer("end", Long.MAX_VALUE);
        return emit("Slice", site, attrs(), a.tensor("self"), graph.ints(start), graph.ints(end),
                graph.ints(a.integer("dim", 0)), graph.ints(a.integer("step", 1)));
    }

    private Object index(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x[idx] with one index tensor on the first axis is a Gather, as the ONNX exporter writes it.
        Args a = bind(name, args, kw, "self", "indices");
        List<Object> indices = AtenOps.items(a.get("indices"));
        if (indices == null || indices.size() != 1 || !(indices.get(0) instanceof TensorValue index)) {
            return AtenOps.NOT_HANDLED;
        }
        if (index.known() && index.info().dtype() == DType.BOOL) {
            // x[mask]: as torch.onnx writes it, NonZero (the kept positions, as many as the data says, at most
            // the mask's size), transposed to one row per position, then GatherND.
            TensorValue positions = emit("NonZero", site, attrs(), index);
            TensorValue rows = emit("Transpose", site, attrs("perm", Attribute.ints(1, 0)), positions);
            return emit("GatherND", site, attrs(), a.tensor("self"), rows);
        }
        if (!index.known()) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("Gather", site, attrs("axis", new Attribute.Int(0)), a.tensor("self"), index);
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
        return emit("Expand", site, attrs(), a.tensor("src"), graph.ints(self.info().shape().toArray()));
    }
}
