package dev.tally.load.checkpoint;

import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import dev.tally.load.onnx.OnnxLoader;
import dev.tally.load.torchscript.TorchScriptLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The model a checkpoint's architecture match gives: the matched catalog entry's structure-only graph, with every
 * stored tensor's shape and dtype taken from the checkpoint (a fine-tuned head {@code fc.weight [10, 512]} is
 * counted as it is), and every tensor of the checkpoint counted once as a param or buffer, read by a layer or not.
 * No weight byte is read. The catalog graph's own file details (its opset, its absent weights file) are not the
 * user's file, so none of them reaches the notes; what the notes say is the match and its differences.
 */
public final class CatalogModel {
    private static final int SHOWN = 4;

    private CatalogModel() {
    }

    /**
     * A checkpoint that cannot be counted, with the reason as a phrase for the audit's report ({@link #reason}) and
     * the whole sentence, naming the file and what to do instead, as the message.
     */
    public static final class NotCountable extends ModelException {
        private final String reason;

        NotCountable(String file, String reason) {
            super(file + " is a checkpoint Tally cannot count: " + reason + "; run 'tally audit " + file
                    + "' for its inventory, or export the model to ONNX or TorchScript and give that file instead.");
            this.reason = reason;
        }

        /** Why, as a phrase ({@code no catalog architecture has these keys ...}). */
        public String reason() {
            return reason;
        }
    }

    /**
     * @param file        the checkpoint, which the model is labelled with
     * @param format      {@link ModelFormat#CHECKPOINT} or {@link ModelFormat#SAFETENSORS}
     * @param located     where the state_dict is in the file, and its tensors by their keys as stored
     * @param match       how those keys and shapes compare with the catalog
     * @param inputShapes the user's {@code --input} shapes: when given, every input dim of an ONNX graph is left open for
     *                    them (else only the batch dim), and a TorchScript graph is read at them (else at its catalog input)
     * @param candidate   the exact candidate to count as, when several match exactly (null: the first)
     */
    public static Model build(Path file, ModelFormat format, StateDicts.Located located, ArchitectureMatch match,
                              Map<String, Shape> inputShapes, String candidate) {
        String name = file.getFileName().toString();
        if (located.tensors().isEmpty()) {
            throw new NotCountable(name, "the file holds no state_dict");
        }
        if (match.kind() == ArchitectureMatch.Kind.NONE || match.candidates().isEmpty()) {
            throw new NotCountable(name, "no catalog architecture has these keys and shapes, so there is no graph to count");
        }
        ArchitectureMatch.Candidate best = match.candidates().stream().filter(c -> c.entry().name().equals(candidate))
                .findFirst().orElse(match.candidates().get(0));
        Catalog.Entry entry = best.entry();
        int shared = entry.tensors().size() - best.missing().size();
        if (best.unexpected().size() >= shared) {
            throw new NotCountable(name, "the closest catalog architecture, " + entry.name() + ", has only " + shared + " of its "
                    + located.tensors().size() + " tensors");
        }
        if (entry.graph() == null) {
            throw new NotCountable(name, "it matches the catalog's " + entry.name() + ", which has no graph (" + entry.onnxNote() + ")");
        }
        if (entry.torchScript() && !best.shapeDifferences().isEmpty()) {
            // A TorchScript graph is read with its own shapes (its code depends on them): a reshaped layer cannot be swapped in.
            ArchitectureMatch.ShapeDifference first = best.shapeDifferences().get(0);
            throw new NotCountable(name, "its keys are the catalog's " + entry.name() + ", but " + first.name() + " is "
                    + first.checkpointShape() + " instead of " + first.catalogShape() + ", and that graph is TorchScript, which Tally counts"
                    + " only with the catalog's own shapes");
        }
        Map<String, Stored> byKey = new LinkedHashMap<>();
        located.tensors().forEach((key, tensor) -> byKey.put(key.substring(match.keyPrefix().length()), new Stored(tensor.shape(), tensor.dtype())));
        Map<String, Stored> counted = byKey;
        Catalog.Entry counts = entry;
        if (entry.quantized()) {
            // docs/conventions.md, "Quantized models": counted as the float model it quantizes, on that model's graph.
            counts = Catalog.standard().floatModel(entry).orElseThrow(() -> new NotCountable(name, "it matches the catalog's quantized "
                    + entry.name() + ", whose float model the catalog lacks"));
            counted = asFloat(byKey, counts);
        }

        boolean openAllDims = !inputShapes.isEmpty();
        Graph graph = load(entry, inputShapes.isEmpty() ? catalogInputs(entry) : inputShapes).graph();
        Set<String> read = new HashSet<>();
        for (Node node : graph.nodes()) {
            read.addAll(node.inputs());
        }
        // Param or buffer as PyTorch's state_dict has it (the catalog's signature): a detection backbone's FrozenBatchNorm2d
        // weight and bias are buffers, which an ONNX graph stores as initializers like any weight.
        Map<String, Role> roles = new LinkedHashMap<>();
        counts.tensors().forEach(t -> roles.put(t.name(), t.buffer() ? Role.BUFFER : Role.PARAM));
        Map<String, Param> params = new LinkedHashMap<>();
        List<String> lacking = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Map.Entry<String, Param> item : graph.params().entrySet()) {
            Param param = item.getValue();
            String key = counted.containsKey(param.sourceName()) ? param.sourceName() : param.name();
            Stored stored = counted.get(key);
            if (stored == null) {
                if (read.contains(item.getKey())) {
                    lacking.add(param.sourceName());
                }
                continue;
            }
            used.add(key);
            params.put(item.getKey(), new Param(param.name(), param.sourceName(), stored.shape(), stored.dtype(),
                    roles.getOrDefault(key, param.role())));
        }
        if (!lacking.isEmpty()) {
            throw new NotCountable(name, "it lacks " + count(lacking.size(), "tensor") + " that the catalog's " + entry.name()
                    + " reads (" + shown(lacking) + ")");
        }
        // The tensors no layer of the graph reads (BatchNorm's num_batches_tracked, keys the catalog lacks) are the
        // checkpoint's all the same: counted once, as PyTorch's parameters() and buffers() count them.
        for (Map.Entry<String, Stored> item : counted.entrySet()) {
            String key = item.getKey();
            if (used.contains(key) || params.containsKey(key)) {
                continue;
            }
            Role role = roles.getOrDefault(key, StateDicts.conventionalBuffer(key) ? Role.BUFFER : Role.PARAM);
            params.put(key, new Param(key, key, item.getValue().shape(), item.getValue().dtype(), role));
        }
        List<Value> inputs = new ArrayList<>();
        for (Value input : graph.inputs()) {
            // A TorchScript graph was read at its shapes already; a detection graph takes one [3, H, W] image, with no batch dim.
            boolean batched = entry.inputShape().size() >= 4;
            inputs.add(entry.torchScript() || !(batched || openAllDims) ? input : open(input, openAllDims));
        }
        Graph countedGraph = new Graph(graph.name(), inputs, graph.outputs(), graph.nodes(), params, graph.constants());
        List<String> notes = notes(name, format, located, match, best, byKey);
        if (counts != entry) {
            notes.set(0, notes.get(0).replace("; params and buffers are the file's own " + count(byKey.size(), "tensor") + ", every shape and dtype as stored,",
                    "; a quantized model, it is counted as the float model it quantizes, the catalog's " + counts.name() + " (" + counts.builder()
                    + "), on that model's graph: the same multiply-accumulates, done in integers, and the float model's "
                    + count(counted.size(), "param and buffer tensor") + " with the file's shapes (torchvision"
                    + " publishes the float model's parameters as the quantized weights' num_params), not the file's own "
                    + count(byKey.size(), "tensor") + " (int8 weights, the folded BatchNorms' biases, scales and zero points),"));
        }
        return new Model(file, format, "", countedGraph, notes);
    }

    /** A stored tensor's shape and dtype, all the count needs of it. */
    private record Stored(Shape shape, dev.tally.ir.DType dtype) {
    }

    /**
     * A quantized state_dict as the float model it quantizes: the float model's tensors (the catalog's signature), each with
     * the shape of the file's tensor that stands for it (a conv's int8 {@code X.weight}; a Linear's packed
     * {@code X._packed_params._packed_params.weight} and {@code .bias} for {@code X.weight} and {@code X.bias}), so a
     * fine-tuned head is counted with its own shape.
     */
    private static Map<String, Stored> asFloat(Map<String, Stored> quantized, Catalog.Entry floatModel) {
        Map<String, Stored> byFloatKey = new LinkedHashMap<>();
        quantized.forEach((key, stored) -> byFloatKey.put(key.replace("._packed_params._packed_params.", "."), stored));
        Map<String, Stored> floats = new LinkedHashMap<>();
        for (Catalog.Tensor tensor : floatModel.tensors()) {
            Stored own = byFloatKey.get(tensor.name());
            floats.put(tensor.name(), new Stored(own != null ? own.shape() : new Shape(tensor.shape()), tensor.dtype()));
        }
        return floats;
    }

    /** The catalog entry's own input for each of its graph's inputs (RAFT's two frames take the same shape). */
    static Map<String, Shape> catalogInputs(Catalog.Entry entry) {
        Shape shape = new Shape(entry.inputShape());
        if (entry.inputNames().isEmpty()) {
            return Map.of(dev.tally.analysis.InputShapes.UNNAMED, shape);
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        entry.inputNames().forEach(n -> shapes.put(n, shape));
        return shapes;
    }

    /** The exported input with its batch dim (or, for {@code --input}, every dim) open. */
    private static Value open(Value input, boolean all) {
        if (input.type().isEmpty()) {
            return input;
        }
        TensorType type = input.type().get();
        List<Dim> dims = new ArrayList<>();
        for (int i = 0; i < type.dims().size(); i++) {
            dims.add(i == 0 ? new Dim.Symbol("batch") : all ? new Dim.Symbol("d" + i) : type.dims().get(i));
        }
        return new Value(input.name(), new TensorType(type.dtype(), dims));
    }

    private static List<String> notes(String name, ModelFormat format, StateDicts.Located located, ArchitectureMatch match,
                                      ArchitectureMatch.Candidate best, Map<String, Stored> byKey) {
        Catalog.Entry entry = best.entry();
        List<String> notes = new ArrayList<>();
        String kind = format == ModelFormat.SAFETENSORS ? "A safetensors file" : "A torch.save checkpoint";
        String how = best.exact() ? "whose keys and shapes it matches exactly"
                : "the closest match to its keys and shapes (the differences follow)";
        notes.add(kind + " holds weights but no graph: the graph is the catalog's " + entry.name() + " (" + entry.builder()
                + "), " + how + "; params and buffers are the file's own " + count(byKey.size(), "tensor")
                + ", every shape and dtype as stored, and no weight was read.");
        List<String> alike = match.kind() == ArchitectureMatch.Kind.EXACT ? match.candidates().stream().filter(c -> c != best)
                .map(c -> c.entry().name() + " (" + c.entry().builder() + ")").toList() : List.of();
        if (!alike.isEmpty()) {
            // Two builders with the same state_dict and different graphs (Faster R-CNN MobileNet at 800 and its _320 model).
            notes.add("Its keys and shapes are also exactly those of the catalog's " + String.join(", ", alike) + ", whose graph differs;"
                    + " it is counted as " + entry.name() + ". 'tally compare " + name + " --catalog' places it as each.");
        }
        if (!best.shapeDifferences().isEmpty()) {
            List<String> shapes = new ArrayList<>();
            best.shapeDifferences().forEach(d -> shapes.add(d.name() + " " + d.checkpointShape() + " instead of " + d.catalogShape()));
            notes.add("Reshaped from the catalog's " + entry.name() + ": " + shown(shapes) + "; the layers are counted with the file's shapes.");
        }
        if (!best.unexpected().isEmpty()) {
            notes.add("Extra: " + count(best.unexpected().size(), "tensor") + " the catalog's " + entry.name() + " does not have ("
                    + shown(best.unexpected()) + "), counted in the params and buffers but read by no layer of its graph, so they add no MACs.");
        }
        if (!best.missing().isEmpty()) {
            notes.add("Missing: " + count(best.missing().size(), "tensor") + " of the catalog's " + entry.name()
                    + " that no layer reads (" + shown(best.missing()) + "), not counted.");
        }
        if (best.withoutBatchCounters() && best.sameKeys()) {
            notes.add("The file has no BatchNorm num_batches_tracked buffers (saved before PyTorch 0.4.1); the match ignores them.");
        }
        if (!match.keyPrefix().isEmpty()) {
            notes.add("Every key starts with '" + match.keyPrefix() + "' (a wrapper such as DataParallel); it was ignored for matching.");
        }
        if (!located.path().isEmpty()) {
            List<String> others = new ArrayList<>();
            located.others().forEach(o -> others.add(o.name()));
            String where = located.path().startsWith("(") ? located.path() : "'" + located.path() + "' entry";
            notes.add("The state_dict counted is the file's " + where + (others.isEmpty() ? "" : "; its other entries ("
                    + shown(others) + ") are not counted") + ".");
        }
        notes.add("The catalog's graph was exported at input " + new Shape(entry.inputShape())
                + (entry.inputNames().isEmpty() ? "" : " (" + String.join(", ", entry.inputNames()) + ")") + "; give --input for another size.");
        return notes;
    }

    /**
     * The catalog entry's structure-only graph, read through a temporary file that is gone when this returns: ONNX, or a
     * TorchScript archive read at {@code shapes}.
     */
    private static Model load(Catalog.Entry entry, Map<String, Shape> shapes) {
        Path file = null;
        try {
            file = Files.createTempFile("tally-catalog-" + entry.name() + "-", entry.torchScript() ? ".pt" : ".onnx");
            Files.write(file, entry.graphBytes());
            return entry.torchScript() ? new TorchScriptLoader().load(file, shapes) : new OnnxLoader().load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    private static String count(int n, String noun) {
        return String.format(Locale.ROOT, "%,d", n) + " " + noun + (n == 1 ? "" : "s");
    }

    /** The first few names, then how many more. */
    private static String shown(List<String> names) {
        if (names.size() <= SHOWN) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, SHOWN)) + " and " + (names.size() - SHOWN) + " more";
    }
}
