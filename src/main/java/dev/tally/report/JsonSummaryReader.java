package dev.tally.report;

import dev.tally.analysis.ReceptiveField;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ir.DType;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a report written by {@code tally summary --format json} back into a {@link Summary}, for baselines
 * ({@code check --baseline}) and comparisons. Only the contract's fields are required (see {@link JsonRenderer});
 * the fields added since have defaults, so an older or hand-trimmed report still reads. A file that is not such a
 * report is a {@link UsageException} naming the file and the missing or wrong field.
 */
public final class JsonSummaryReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonSummaryReader() {
    }

    public static Summary read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException(file + " cannot be read; check the path of the JSON report.");
        }
        return read(text, file.getFileName().toString());
    }

    /** @param source the name messages give the text, usually its file name */
    public static Summary read(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UsageException(source + " is not JSON (line " + e.getLocation().getLineNr()
                    + "); give a report written by 'tally summary --format json'.");
        }
        if (root == null || !root.isObject()) {
            throw new UsageException(source + " is not a JSON object; give a report written by 'tally summary --format json'.");
        }
        Fields in = new Fields(source);
        JsonNode model = in.object(root, "model");
        ModelInfo info = new ModelInfo(in.text(model, "model.path"), format(in, model),
                model.path("producer").asText(""), (int) in.optionalCount(model, "model.foldedBatchNorms"),
                in.optionalCount(model, "model.foldedChannels"),
                root.path("totals").has("paramsAsTrained") ? in.optionalCount(root.path("totals"), "totals.paramsAsTrained") : -1);
        List<TensorSummary> inputs = tensors(in, root, "inputs");
        List<TensorSummary> outputs = tensors(in, root, "outputs");
        List<LayerSummary> layers = new ArrayList<>();
        Map<String, ReceptiveField> fields = new LinkedHashMap<>();
        List<Long> liveAfter = new ArrayList<>();
        JsonNode rows = in.array(root, "layers");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            String at = "layers[" + i + "].";
            if (row.has("liveBytesAfter")) {
                liveAfter.add(in.count(row, at + "liveBytesAfter"));
            }
            JsonNode rf = row.path("receptiveField");
            if (rf.isObject()) {
                fields.put(in.text(row, at + "name"), rf.path("wholeInput").asBoolean(false)
                        ? ReceptiveField.whole(rf.path("jumpsDiffer").asBoolean(false))
                        : new ReceptiveField(longs(rf.path("size")), longs(rf.path("jump")), longs(rf.path("start")), false,
                                rf.path("jumpsDiffer").asBoolean(false)));
            }
            layers.add(new LayerSummary(in.text(row, at + "name"), in.text(row, at + "type"),
                    in.shape(row, at + "outputShape"), in.count(row, at + "params"), in.count(row, at + "buffers"),
                    in.optionalCount(row, at + "paramBytes"), in.count(row, at + "macs"), in.count(row, at + "flops"),
                    in.count(row, at + "ops"), in.count(row, at + "activationBytes"),
                    (int) in.optionalCount(row, at + "nodes"), (int) in.optionalCount(row, at + "uncountedNodes"),
                    frozenOf(in, row, at)));
        }
        JsonNode sums = in.object(root, "totals");
        long params = in.count(sums, "totals.params");
        // Reports written before trainable/frozen were counted have no frozenParams: every param was trainable.
        long frozen = in.optionalCount(sums, "totals.frozenParams");
        if (frozen > params) {
            throw in.wrong("totals.frozenParams", "it should be at most totals.params (" + params + ")");
        }
        Totals totals = new Totals(params, in.count(sums, "totals.buffers"),
                in.count(sums, "totals.paramBytes"), in.count(sums, "totals.macs"), in.count(sums, "totals.flops"),
                in.count(sums, "totals.ops"), in.count(sums, "totals.activationBytes"),
                in.optionalCount(sums, "totals.largestActivationBytes"), in.optionalCount(sums, "totals.peakActivationBytes"),
                frozen);
        JsonNode training = sums.path("training");
        if (training.isObject()) {
            // Reports written before training memory was modelled have none: TrainingMemory.NONE.
            totals = totals.withTraining(new dev.tally.analysis.TrainingMemory(
                    dev.tally.analysis.Optimizer.parse(in.text(training, "totals.training.optimizer")),
                    in.count(training, "totals.training.params"), in.count(training, "totals.training.gradients"),
                    in.count(training, "totals.training.optimizerState"), in.count(training, "totals.training.savedActivations"),
                    in.count(training, "totals.training.backwardTransient"),
                    in.count(training, "totals.training.optimizerStepTransient"), List.of()));
        }
        List<UnsupportedOp> unsupported = new ArrayList<>();
        JsonNode gaps = in.array(root, "unsupported");
        for (int i = 0; i < gaps.size(); i++) {
            JsonNode gap = gaps.get(i);
            List<String> nodes = new ArrayList<>();
            gap.path("nodes").forEach(n -> nodes.add(n.asText()));
            unsupported.add(new UnsupportedOp(in.text(gap, "unsupported[" + i + "].op"),
                    (int) in.count(gap, "unsupported[" + i + "].count"), nodes));
        }
        List<String> notes = new ArrayList<>();
        root.path("notes").forEach(n -> notes.add(n.asText()));
        Totals unread = new Totals(0, in.optionalCount(sums, "totals.unreadBuffers"), in.optionalCount(sums, "totals.unreadBufferBytes"),
                0, 0, 0, 0);
        return new Summary(info, inputs, outputs, layers, totals, unsupported,
                (int) in.optionalCount(root, "unresolvedNodes"), notes, (int) in.optionalCount(root, "depth"), fields,
                liveAfter.size() == layers.size() ? liveAfter : List.of(), unread);
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }

    private static ModelFormat format(Fields in, JsonNode model) {
        String name = in.text(model, "model.format");
        for (ModelFormat format : ModelFormat.values()) {
            if (format.displayName().equals(name)) {
                return format;
            }
        }
        throw in.wrong("model.format", "'" + name + "' is not a format Tally writes (onnx, torchscript, checkpoint)");
    }

    private static List<TensorSummary> tensors(Fields in, JsonNode root, String key) {
        List<TensorSummary> tensors = new ArrayList<>();
        JsonNode array = in.array(root, key);
        for (int i = 0; i < array.size(); i++) {
            JsonNode tensor = array.get(i);
            String at = key + "[" + i + "].";
            JsonNode dtype = tensor.path("dtype");
            Optional<DType> type;
            try {
                type = dtype.isTextual() ? Optional.of(DType.fromDisplayName(dtype.asText())) : Optional.empty();
            } catch (IllegalArgumentException e) {
                throw in.wrong(at + "dtype", "'" + dtype.asText() + "' is not a dtype Tally writes");
            }
            tensors.add(new TensorSummary(in.text(tensor, at + "name"), in.shape(tensor, at + "shape"), type,
                    tensor.path("origin").asText("")));
        }
        return tensors;
    }

    /** Reads fields by their dotted path and names the path in every error. */
    private static final class Fields {
        private final String source;

        Fields(String source) {
            this.source = source;
        }

        JsonNode object(JsonNode parent, String path) {
            JsonNode node = get(parent, path);
            if (!node.isObject()) {
                throw wrong(path, "it should be an object");
            }
            return node;
        }

        JsonNode array(JsonNode parent, String path) {
            JsonNode node = get(parent, path);
            if (!node.isArray()) {
                throw wrong(path, "it should be an array");
            }
            return node;
        }

        String text(JsonNode parent, String path) {
            JsonNode node = get(parent, path);
            if (!node.isTextual()) {
                throw wrong(path, "it should be a string");
            }
            return node.asText();
        }

        long count(JsonNode parent, String path) {
            JsonNode node = get(parent, path);
            if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
                throw wrong(path, "it should be a whole number of 0 or more");
            }
            return node.asLong();
        }

        long optionalCount(JsonNode parent, String path) {
            return parent.has(leaf(path)) ? count(parent, path) : 0;
        }

        Optional<Shape> shape(JsonNode parent, String path) {
            JsonNode node = get(parent, path);
            if (node.isNull()) {
                return Optional.empty();
            }
            if (!node.isArray()) {
                throw wrong(path, "it should be an array of sizes or null");
            }
            long[] dims = new long[node.size()];
            for (int i = 0; i < dims.length; i++) {
                if (!node.get(i).isIntegralNumber() || node.get(i).asLong() < 0) {
                    throw wrong(path, "it should be an array of sizes or null");
                }
                dims[i] = node.get(i).asLong();
            }
            return Optional.of(Shape.of(dims));
        }

        UsageException wrong(String path, String why) {
            return new UsageException(source + ": '" + path + "' is wrong: " + why + "; give a report written by"
                    + " 'tally summary --format json'.");
        }

        private JsonNode get(JsonNode parent, String path) {
            JsonNode node = parent.get(leaf(path));
            if (node == null) {
                throw new UsageException(source + ": '" + path + "' is missing; give a report written by"
                        + " 'tally summary --format json'.");
            }
            return node;
        }

        private static String leaf(String path) {
            return path.substring(path.lastIndexOf('.') + 1);
        }
    }

    /** A row's frozen params (written only when some are), at most its params. */
    private static long frozenOf(Fields in, JsonNode row, String at) {
        long frozen = in.optionalCount(row, at + "frozenParams");
        if (frozen > in.count(row, at + "params")) {
            throw in.wrong(at + "frozenParams", "it should be at most " + at + "params");
        }
        return frozen;
    }
}
