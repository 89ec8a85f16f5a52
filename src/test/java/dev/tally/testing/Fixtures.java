package dev.tally.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixture models made by real PyTorch ({@code scripts/export_models.py}) and PyTorch's own figures beside
 * them. A missing fixture fails the test with the command that makes it; nothing here skips.
 *
 * <p>Files in the folder: {@code index.json} ({@code {"models": [...], "torch": "1.13.1", ...}}), and per model
 * {@code <name>.onnx}, {@code <name>.traced.pt}, {@code <name>.scripted.pt}, {@code <name>.pth} and
 * {@code <name>.expected.json}; see {@link Expected} for the figures.
 */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** The project root (the folder with pom.xml). */
    public static Path root() {
        String root = System.getProperty("tally.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    }

    /** The fixture folder: -Dtally.fixtures, else $TALLY_FIXTURES, else models/cache under the root. */
    public static Path dir() {
        String configured = System.getProperty("tally.fixtures");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("TALLY_FIXTURES");
        }
        Path dir = configured == null || configured.isBlank() ? root().resolve("models/cache") : Path.of(configured);
        if (!Files.isRegularFile(dir.resolve("index.json"))) {
            throw new IllegalStateException("No fixture models in " + dir + "; make them with: python3 scripts/export_models.py (scripts/test does it for you).");
        }
        return dir;
    }

    /** A fixture file, which must exist. */
    public static Path file(String name) {
        Path path = dir().resolve(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Fixture " + path + " is missing; re-run python3 scripts/export_models.py.");
        }
        return path;
    }

    /**
     * A file of {@code folder}, made by {@code scripts/<script>}; it must exist, else the test fails with the command that
     * makes it.
     */
    public static Path made(String folder, String name, String script) {
        Path path = dir().resolve(folder).resolve(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Fixture " + path + " is missing; make it with: /usr/bin/python3 scripts/" + script
                    + " --out " + dir() + " (scripts/test does it for you).");
        }
        return path;
    }

    /** A file of {@code formats/}, made by scripts/export_formats.py; it must exist. */
    public static Path formats(String name) {
        Path path = dir().resolve("formats").resolve(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Fixture " + path + " is missing; make it with: /usr/bin/python3 scripts/export_formats.py --out "
                    + dir() + " (scripts/test does it for you).");
        }
        return path;
    }

    /** A file of {@code checkpoints/}, made by scripts/export_checkpoints.py; it must exist. */
    public static Path checkpoints(String name) {
        Path path = dir().resolve("checkpoints").resolve(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Fixture " + path + " is missing; make it with: /usr/bin/python3 scripts/export_checkpoints.py --out "
                    + dir() + " (scripts/test does it for you).");
        }
        return path;
    }

    /** A JSON file of {@code checkpoints/}, read. */
    public static JsonNode checkpointsJson(String name) {
        return read(checkpoints(name));
    }

    /** A JSON file of {@code formats/}, read. */
    public static JsonNode formatsJson(String name) {
        return read(formats(name));
    }

    /** A file of {@code dtypes/}, made by scripts/export_dtypes.py; it must exist. */
    public static Path dtypes(String name) {
        Path path = dir().resolve("dtypes").resolve(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Fixture " + path + " is missing; make it with: /usr/bin/python3 scripts/export_dtypes.py --out "
                    + dir() + " (scripts/test does it for you).");
        }
        return path;
    }

    /** A JSON file of {@code dtypes/}, read. */
    public static JsonNode dtypesJson(String name) {
        return read(dtypes(name));
    }

    /** The names of all fixture models, in the export script's order. */
    public static List<String> models() {
        List<String> names = new ArrayList<>();
        read(dir().resolve("index.json")).get("models").forEach(n -> names.add(n.asText()));
        return names;
    }

    public static Expected expected(String model) {
        return new Expected(read(file(model + ".expected.json")));
    }

    private static JsonNode read(Path path) {
        try {
            return JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * PyTorch's own figures for one fixture model. The JSON ({@code <name>.expected.json}):
     * <pre>
     * { "name": "alexnet", "inputShape": [1,3,224,224], "outputShape": [1,1000],
     *   "params": 61100840,          sum(p.numel() for p in model.parameters())
     *   "buffers": 0,                sum(b.numel() for b in model.buffers())
     *   "numBatchesTracked": 0,      elements of BatchNorm num_batches_tracked buffers (ONNX drops them)
     *   "paramBytes": 244403360,     bytes of parameters and buffers
     *   "macs": 714188480,           conv/linear multiply-accumulates from forward hooks (docs/conventions.md)
     *   "modules": [ {"name": "features.0", "type": "Conv2d", "outputShape": [1,64,55,55],
     *                 "params": 23296, "calls": 1}, ... ],   every named module that ran, in first-call
     *                                order; outputShape of its last call (null when not one tensor)
     *   "files": {"onnx": "alexnet.onnx", "traced": "alexnet.traced.pt", "scripted": "alexnet.scripted.pt",
     *             "stateDict": "alexnet.pth"},  a value is null when PyTorch could not make that form
     *   "scriptError": null,         why torch.jit.script failed, when it did
     *   "onnx": {"opset": 13, "bnFolded": false, "initializerElements": 61100840} }
     * </pre>
     */
    public record Expected(JsonNode json) {
        public String name() {
            return json.get("name").asText();
        }

        public long params() {
            return json.get("params").asLong();
        }

        public long buffers() {
            return json.get("buffers").asLong();
        }

        public long macs() {
            return json.get("macs").asLong();
        }

        public List<Long> inputShape() {
            return longs(json.get("inputShape"));
        }

        public List<Long> outputShape() {
            return longs(json.get("outputShape"));
        }

        /** The fixture file of one form ("onnx", "traced", "scripted", "stateDict"), or null when not made. */
        public Path file(String form) {
            JsonNode name = json.path("files").path(form);
            return name.isMissingNode() || name.isNull() ? null : Fixtures.file(name.asText());
        }

        public static List<Long> longs(JsonNode array) {
            List<Long> values = new ArrayList<>();
            if (array != null && !array.isNull()) {
                array.forEach(v -> values.add(v.asLong()));
            }
            return values;
        }
    }
}
