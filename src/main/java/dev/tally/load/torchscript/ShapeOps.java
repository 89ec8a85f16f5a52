package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shape and view ops from TorchScript code: {@code flatten}, {@code permute}, {@code transpose} (and its aliases {@code swapaxes}, {@code swapdims}), {@code t},
 * {@code reshape}, {@code view}, {@code unsqueeze}, {@code squeeze}, {@code expand}, {@code expand_as}, {@code repeat} (Tile), {@code repeat_interleave},
 * {@code pad} and {@code roll}: data movement, no arithmetic.
 */
final class ShapeOps extends AtenFamily {

    ShapeOps(GraphBuilder graph) {
        super(graph);
        put((name, args, kw, site) -> flatten(bind(name, args, kw, "self", "start_dim", "end_dim"), site), "flatten");
        put(this::permute, "permute");
        put(this::transpose, "transpose", "swapaxes", "swapdims");
        put(this::t, "t");
        put(this::reshape, "reshape", "view");
        put(this::unsqueezeOrSqueeze, "unsqueeze", "squeeze");
        put((name, args, kw, site) -> pad(bind(name, args, kw, "self", "pad", "mode", "value"), site), "pad", "constant_pad_nd");
        put((name, args, kw, site) -> roll(bind(name, args, kw, "self", "shifts", "dims"), site), "roll");
        put(this::expand, "expand");
        put(this::expandAs, "expand_as");
        put(this::repeat, "repeat");
        put(this::repeatInterleave, "repeat_interleave");
    }

    private Object permute(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dims");
        return emit("Transpose", site, attrs("perm", new Attribute.Ints(a.ints("dims", 1, null))), a.tensor("self"));
    }

    private Object transpose(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // swapaxes(self, axis0, axis1) and swapdims are transpose's aliases (MaxViT's grid partition swaps axes).
        boolean axes = name.equals("swapaxes");
        Args a = bind(name, args, kw, "self", axes ? "axis0" : "dim0", axes ? "axis1" : "dim1");
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        int rank = self.info().rank();
        int d0 = self.info().shape().normalizeAxis((int) a.integer(axes ? "axis0" : "dim0", 0));
        int d1 = self.info().shape().normalizeAxis((int) a.integer(axes ? "axis1" : "dim1", 1));
        long[] perm = new long[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i == d0 ? d1 : i == d1 ? d0 : i;
        }
        return emit("Transpose", site, attrs("perm", Attribute.ints(perm)), self);
    }

    private Object t(String name, List<Object> args, Map<String, Object> kw, Site site) {
        TensorValue self = bind(name, args, kw, "self").tensor("self");
        return emit("Transpose", site, attrs("perm", Attribute.ints(1, 0)), self);
    }

    private Object reshape(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "shape");
        return emit("Reshape", site, attrs(), a.tensor("self"), sizes(a, "shape", site));
    }

    private Object unsqueezeOrSqueeze(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "dim");
        String op = name.equals("unsqueeze") ? "Unsqueeze" : "Squeeze";
        TensorValue axes = a.has("dim") ? graph.ints(toArray(a.ints("dim", 1, null))) : null;
        return emit(op, site, attrs(), a.tensor("self"), axes);
    }

    private Object expand(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "size", "implicit");
        TensorValue self = a.tensor("self");
        if (bounded(a.get("size"))) {
            // A size read from data (Conformer's padding mask, arange(max(lengths)) expanded to [batch, max_length]).
            return emit("Expand", site, attrs(), self, sizes(a, "size", site));
        }
        List<Long> size = a.ints("size", 1, null);
        if (size.contains(-1L)) {
            if (!self.known()) {
                return AtenOps.NOT_HANDLED;
            }
            // -1 keeps the input's size there (aligned from the right, as broadcasting is).
            List<Long> resolved = new ArrayList<>(size);
            int offset = size.size() - self.info().rank();
            for (int i = 0; i < size.size(); i++) {
                if (size.get(i) == -1L && i >= offset) {
                    resolved.set(i, self.info().shape().dim(i - offset));
                }
            }
            size = resolved;
        }
        return emit("Expand", site, attrs(), self, graph.ints(toArray(size)));
    }

    private static boolean bounded(Object sizes) {
        List<Object> items = AtenOps.items(sizes);
        return items != null && items.stream().anyMatch(Values::isHeld);
    }

    private Object expandAs(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.expand_as(y) is x.expand(y.size()) (F.normalize expands the norm to its input).
        Args a = bind(name, args, kw, "self", "other");
        TensorValue other = a.tensor("other");
        if (!other.known()) {
            return AtenOps.NOT_HANDLED;
        }
        return graph.sameSizesAs(emit("Expand", site, attrs(), a.tensor("self"), shapeOf(other, site)), other);
    }

    private Object repeat(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x.repeat(sizes): ONNX Tile, after unsqueezing x to the length of sizes.
        Args a = bind(name, args, kw, "self", "repeats");
        TensorValue self = a.tensor("self");
        List<Long> repeats = a.ints("repeats", 1, null);
        if (!self.known() || repeats.size() < self.info().rank()) {
            return AtenOps.NOT_HANDLED;
        }
        int extra = repeats.size() - self.info().rank();
        if (extra > 0) {
            long[] axes = new long[extra];
            for (int i = 0; i < extra; i++) {
                axes[i] = i;
            }
            self = emit("Unsqueeze", site, attrs(), self, graph.ints(axes));
        }
        return emit("Tile", site, attrs(), self, graph.ints(toArray(repeats)));
    }

    private Object repeatInterleave(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // repeat_interleave(x, r, dim) with a known int r: every slice along dim r times in a row (MViT's temporal
        // position table per frame, WaveRNN's upsampling), as x.unsqueeze(dim + 1).expand(..., r, ...) reshaped
        // back: data movement, no arithmetic. Without dim, x is flattened first. Repeats held in a tensor give a
        // size the code reads from its values: no rule.
        Args a = bind(name, args, kw, "self", "repeats", "dim", "output_size");
        TensorValue self = a.tensor("self");
        if (!(a.get("repeats") instanceof Long repeats) || repeats < 0 || !self.known() || self.info().dataDependent()) {
            return AtenOps.NOT_HANDLED;
        }
        if (!a.has("dim")) {
            self = emit("Reshape", site, attrs(), self, graph.ints(self.info().numel()));
        }
        Shape shape = self.info().shape();
        int axis = shape.normalizeAxis((int) a.integer("dim", 0));
        List<Long> expanded = new ArrayList<>(shape.dims());
        expanded.add(axis + 1, repeats);
        List<Long> joined = new ArrayList<>(shape.dims());
        joined.set(axis, Math.multiplyExact(shape.dim(axis), repeats));
        TensorValue each = emit("Unsqueeze", site, attrs(), self, graph.ints(axis + 1));
        TensorValue repeated = emit("Expand", site, attrs(), each, graph.ints(toArray(expanded)));
        return emit("Reshape", site, attrs(), repeated, graph.ints(toArray(joined)));
    }

    private Object flatten(Args a, Site site) {
        TensorValue self = a.tensor("self");
        long start = a.integer("start_dim", 0);
        long end = a.integer("end_dim", -1);
        int rank = self.known() ? self.info().rank() : -1;
        if (start == 1 && (end == -1 || end == rank - 1)) {
            // ONNX Flatten(axis=1) keeps dim 0 and joins the rest: exactly torch.flatten(x, 1).
            return emit("Flatten", site, attrs("axis", new Attribute.Int(1)), self);
        }
        if (rank < 0) {
            return AtenOps.NOT_HANDLED;
        }
        Shape shape = self.info().shape();
        int s = shape.normalizeAxis((int) start);
        int e = shape.normalizeAxis((int) end);
        List<Long> target = new ArrayList<>();
        long joined = 1;
        for (int i = 0; i < rank; i++) {
            if (i < s || i > e) {
                target.add(shape.dim(i));
            } else {
                joined = Math.multiplyExact(joined, shape.dim(i));
                if (i == e) {
                    target.add(joined);
                }
            }
        }
        return emit("Reshape", site, attrs(), self, graph.ints(toArray(target)));
    }

    /** {@code F.pad}: PyTorch lists (begin, end) pairs from the last axis backwards; ONNX all begins, then all ends. */
    private Object pad(Args a, Site site) {
        TensorValue self = a.tensor("self");
        if (!self.known()) {
            return AtenOps.NOT_HANDLED;
        }
        int rank = self.info().rank();
        List<Long> pairs = a.ints("pad", 1, null);
        if (pairs.size() % 2 != 0 || pairs.size() / 2 > rank) {
            return AtenOps.NOT_HANDLED;
        }
        long[] pads = new long[2 * rank];
        for (int i = 0; i < pairs.size() / 2; i++) {
            int axis = rank - 1 - i;
            pads[axis] = pairs.get(2 * i);
            pads[rank + axis] = pairs.get(2 * i + 1);
        }
        String mode = switch (a.string("mode", "constant")) {
            case "constant" -> "constant";
            case "reflect" -> "reflect";
            case "replicate" -> "edge";
            default -> null;
        };
        if (mode == null) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("Pad", site, attrs("mode", new Attribute.Str(mode)), self, graph.ints(pads),
                a.has("value") ? a.tensor("value") : null);
    }

    /**
     * {@code torch.roll} as the ONNX exporter writes it: per axis, the last {@code shift} elements sliced off and
     * concatenated in front. Data movement only; no arithmetic.
     */
    private Object roll(Args a, Site site) {
        TensorValue x = a.tensor("self");
        List<Long> shifts = a.ints("shifts", 1, null);
        List<Long> dims = a.ints("dims", 1, List.of());
        if (dims.size() != shifts.size()) {
            return AtenOps.NOT_HANDLED;
        }
        for (int i = 0; i < dims.size(); i++) {
            long shift = shifts.get(i);
            long axis = dims.get(i);
            TensorValue tail = emit("Slice", site, attrs(), x, graph.ints(-shift), graph.ints(Long.MAX_VALUE), graph.ints(axis));
            TensorValue head = emit("Slice", site, attrs(), x, graph.ints(0), graph.ints(-shift), graph.ints(axis));
            x = emit("Concat", site, attrs("axis", new Attribute.Int(axis)), tail, head);
        }
        return x;
    }
}
