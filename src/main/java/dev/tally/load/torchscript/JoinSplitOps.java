package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ops that join tensors or split one from TorchScript code: {@code cat}, {@code stack}, {@code meshgrid},
 * {@code chunk}, {@code split}, {@code split_with_sizes}, {@code tensor_split} and {@code unbind}.
 */
final class JoinSplitOps extends AtenFamily {

    JoinSplitOps(GraphBuilder graph) {
        super(graph);
        put(this::cat, "cat", "concat");
        put((name, args, kw, site) -> split(name.replace("unsafe_", ""), bind(name, args, kw, "self", name.endsWith("chunk") ? "chunks" : "split_size", "dim"), site), "chunk", "unsafe_chunk", "split", "unsafe_split");
        // split_with_sizes(x, [a, b], dim) is split with a list (RAFT's context encoder output into hidden and context).
        put((name, args, kw, site) -> split("split_with_sizes", bind(name, args, kw, "self", "split_sizes", "dim"), site), "split_with_sizes");
        put(this::tensorSplit, "tensor_split");
        put(this::unbind, "unbind");
        put(this::meshgrid, "meshgrid");
        put(this::stack, "stack");
    }

    private Object cat(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "tensors", "dim");
        TensorValue[] inputs = AtenOps.tensorItems(a.get("tensors"));
        if (inputs == null) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("Concat", site, attrs("axis", new Attribute.Int(a.integer("dim", 0))), inputs);
    }

    private Object tensorSplit(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // tensor_split(x, sections, dim): the first size % sections pieces one longer (numpy's array_split);
        // tensor_split(x, [i, j, ...], dim): the pieces between the indices, each clamped to the axis (MViT's
        // class token split off with [1]). A tensor of indices has values the code reads at run time: no rule.
        Args a = bind(name, args, kw, "self", "indices_or_sections", "dim");
        TensorValue self = a.tensor("self");
        Object how = a.get("indices_or_sections");
        if (!self.known() || self.info().dataDependent() || how instanceof TensorValue) {
            return AtenOps.NOT_HANDLED;
        }
        int axis = self.info().shape().normalizeAxis((int) a.integer("dim", 0));
        long size = self.info().shape().dim(axis);
        List<Long> sizes = new ArrayList<>();
        if (how instanceof Long sections) {
            if (sections <= 0 || sections > 1024) {
                return AtenOps.NOT_HANDLED;
            }
            for (long i = 0; i < sections; i++) {
                sizes.add(size / sections + (i < size % sections ? 1 : 0));
            }
        } else {
            // Piece i is slice(x, dim, indices[i-1], indices[i]): each index wrapped and clamped as slice does;
            // indices that go back would make pieces overlap, which no Split writes.
            long start = 0;
            for (long index : a.ints("indices_or_sections", 1, null)) {
                long end = Math.min(size, Math.max(0, index < 0 ? index + size : index));
                if (end < start) {
                    return AtenOps.NOT_HANDLED;
                }
                sizes.add(end - start);
                start = end;
            }
            sizes.add(size - start);
        }
        List<TensorValue> outputs = graph.emit("Split", List.of(self.name(), graph.ints(toArray(sizes)).name()),
                attrs("axis", new Attribute.Int(axis)), sizes.size(), site.layer(), site.source());
        return new ArrayList<Object>(outputs);
    }

    private Object unbind(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // The slices along dim, each without that axis: Split into pieces of 1, then Squeeze.
        Args a = bind(name, args, kw, "self", "dim");
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        long dim = a.integer("dim", 0);
        if (self.info().dataDependent()) {
            // How many slices there are may be a size of the data: made when the code unpacks them (Values.Pieces).
            return new Values.Pieces(self, dim);
        }
        int axis = self.info().shape().normalizeAxis((int) dim);
        int pieces = (int) self.info().shape().dim(axis);
        if (pieces > 1024) {
            return AtenOps.NOT_HANDLED;
        }
        long[] ones = new long[pieces];
        java.util.Arrays.fill(ones, 1);
        List<TensorValue> parts = graph.emit("Split", List.of(self.name(), graph.ints(ones).name()),
                attrs("axis", new Attribute.Int(axis)), pieces, site.layer(), site.source());
        List<Object> result = new ArrayList<>();
        for (TensorValue part : parts) {
            result.add(emit("Squeeze", site, attrs(), part, graph.ints(axis)));
        }
        return result;
    }

    private Object meshgrid(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // Each 1-D input reshaped to lie along its own axis and expanded to the grid, as torch.onnx writes it;
        // "xy" indexing swaps the first two axes of the grid.
        Args a = bind(name, args, kw, "tensors", "indexing");
        List<Object> items = AtenOps.items(a.get("tensors"));
        if (items == null || items.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        List<TensorValue> inputs = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof TensorValue t) || !t.known() || t.info().rank() > 1) {
                return AtenOps.NOT_HANDLED;
            }
            inputs.add(t);
        }
        int k = inputs.size();
        long[] grid = new long[k];
        for (int i = 0; i < k; i++) {
            grid[i] = inputs.get(i).info().numel();
        }
        boolean xy = a.string("indexing", "ij").equals("xy") && k >= 2;
        if (xy) {
            long first = grid[0];
            grid[0] = grid[1];
            grid[1] = first;
        }
        List<Object> outputs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int axis = xy && i < 2 ? 1 - i : i;
            long[] along = new long[k];
            java.util.Arrays.fill(along, 1);
            along[axis] = grid[axis];
            TensorValue placed = emit("Reshape", site, attrs(), inputs.get(i), graph.ints(along));
            outputs.add(emit("Expand", site, attrs(), placed, graph.ints(grid)));
        }
        return outputs;
    }

    private Object stack(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // torch.stack(tensors, dim): each unsqueezed at dim, then concatenated there.
        Args a = bind(name, args, kw, "tensors", "dim");
        List<Object> items = AtenOps.items(a.get("tensors"));
        if (items == null || items.isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        long dim = a.integer("dim", 0);
        List<TensorValue> inputs = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof TensorValue t) || !t.known()) {
                return AtenOps.NOT_HANDLED;
            }
            long axis = dim < 0 ? dim + t.info().rank() + 1 : dim;
            inputs.add(emit("Unsqueeze", site, attrs(), t, graph.ints(axis)));
        }
        long axis = dim < 0 ? dim + inputs.get(0).info().rank() : dim;
        return emit("Concat", site, attrs("axis", new Attribute.Int(axis)), inputs.toArray(new TensorValue[0]));
    }

    private Object split(String name, Args a, Site site) {
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        Shape shape = self.info().shape();
        long axis = a.integer("dim", 0);
        long size = shape.dim((int) axis);
        List<Long> sizes = new ArrayList<>();
        String sizeArgument = switch (name) {
            case "chunk" -> "chunks";
            case "split_with_sizes" -> "split_sizes";
            default -> "split_size";
        };
        Object how = a.get(sizeArgument);
        if (how instanceof Long n) {
            long piece = name.equals("chunk") ? (size + n - 1) / n : n;
            for (long done = 0; done < size; done += piece) {
                sizes.add(Math.min(piece, size - done));
            }
        } else {
            sizes.addAll(a.ints(sizeArgument, 1, null));
        }
        List<TensorValue> outputs = graph.emit("Split", List.of(self.name(), graph.ints(toArray(sizes)).name()),
                attrs("axis", new Attribute.Int(axis)), sizes.size(), site.layer(), site.source());
        return new ArrayList<Object>(outputs);
    }
}
