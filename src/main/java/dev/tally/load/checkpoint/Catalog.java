package dev.tally.load.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tally.ir.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The known architectures, generated with real PyTorch into {@code resources/dev/tally/audit/catalog}: the classifiers of
 * {@code scripts/make_catalog.py} (each entry's state_dict signature and, for most, a structure-only ONNX graph, gzipped,
 * no weights, to count it with), then every other builder of the weights catalog ({@code scripts/make_signatures.py}:
 * segmentation, detection, video, optical flow, ViT at its SWAG input), whose signatures are one front-coded text file
 * and whose graphs are the weights catalog's own ({@code resources/dev/tally/catalog}).
 */
public final class Catalog {
    public static final String FOLDER = "/dev/tally/audit/catalog/";
    /** The signatures of the weights catalog's own graphs (scripts/make_signatures.py), in {@link #FOLDER}. */
    public static final String SIGNATURES = "signatures.txt.gz";
    private static final String RESOURCES = "/dev/tally/";
    // jackson-core's streaming parser, not an ObjectMapper: an ONNX summary with folded BatchNorms reads the catalog
    // (paramsAsTrained), and databind's first use costs more than the whole analysis of a small model.
    private static final JsonFactory JSON = new JsonFactory();
    private static Catalog standard;

    private final List<Entry> entries;

    public Catalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The catalog shipped with Tally, read once. */
    public static synchronized Catalog standard() {
        if (standard == null) {
            List<Entry> entries = new ArrayList<>();
            for (String name : entryNames()) {
                entries.add(Entry.parse(read(signature(name))));
            }
            standard = new Catalog(Signatures.merge(entries, signatureEntries()));
        }
        return standard;
    }

    /**
     * The shipped entries whose state_dict has a tensor called {@code tensorName}, the same as filtering
     * {@link #standard()}, but each classifier's signature is searched as text first and only those that name the tensor are
     * parsed: one question about one model parses one or a few entries instead of all of them ({@link #SIGNATURES}, a
     * twentieth of the catalog's bytes, is parsed whole, once).
     */
    public static Catalog standardNaming(String tensorName) {
        synchronized (Catalog.class) {
            if (standard != null) {
                return standardNaming(tensorName, standard);
            }
        }
        if (!tensorName.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')) {
            return standardNaming(tensorName, standard());
        }
        String needle = "\"" + tensorName + "\"";
        List<Entry> entries = new ArrayList<>();
        for (String name : entryNames()) {
            String text = read(signature(name));
            if (text.contains(needle)) {
                Entry entry = Entry.parse(text);
                if (entry.tensors().stream().anyMatch(t -> t.name().equals(tensorName))) {
                    entries.add(entry);
                }
            }
        }
        return standardNaming(tensorName, new Catalog(Signatures.merge(entries, signatureEntries())));
    }

    private static List<Entry> signatures;

    /** The entries of {@link #SIGNATURES}, read once. */
    private static synchronized List<Entry> signatureEntries() {
        if (signatures == null) {
            signatures = Signatures.parse(read(SIGNATURES));
        }
        return signatures;
    }

    private static Catalog standardNaming(String tensorName, Catalog all) {
        return new Catalog(all.entries.stream().filter(e -> e.tensors().stream().anyMatch(t -> t.name().equals(tensorName))).toList());
    }

    /** The entry names the index lists, in its order. */
    private static List<String> entryNames() {
        List<String> names = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(read("index.json"))) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                // Only the entries' objects have a "name" field (the index's top level has torch, opset, entries).
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals("name") && parser.nextToken() == JsonToken.VALUE_STRING) {
                    names.add(parser.getText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** An entry's signature resource: gzipped as make_catalog.py writes it, or plain JSON as older runs did. */
    private static String signature(String name) {
        return Catalog.class.getResource(FOLDER + name + ".json.gz") != null ? name + ".json.gz" : name + ".json";
    }

    public List<Entry> entries() {
        return entries;
    }

    public Optional<Entry> entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    private static String read(String name) {
        try (InputStream in = Catalog.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("The architecture catalog misses " + FOLDER + name + "; rebuild it with /usr/bin/python3 scripts/make_catalog.py.");
            }
            byte[] bytes = (name.endsWith(".gz") ? new java.util.zip.GZIPInputStream(in) : in).readAllBytes();
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One tensor of a known state_dict. */
    public record Tensor(String name, List<Long> shape, DType dtype, boolean buffer) {
        public Tensor {
            shape = List.copyOf(shape);
        }

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /**
     * A known architecture.
     *
     * @param builder    how PyTorch builds it ({@code torchvision.models.vgg16(weights=None)})
     * @param onnx       the resource name of its structure-only graph in {@link #FOLDER}, or null (then {@code onnxNote}
     *                   says why, or {@code graph} is one of the weights catalog's)
     * @param inputShape the input the graph was exported for
     * @param graph      the graph to count it with, a resource under {@code /dev/tally/} ({@code audit/catalog/vgg16.onnx.gz},
     *                   {@code catalog/raft_small.scripted.pt.gz}), or null
     * @param inputNames the graph's inputs when it has several (RAFT's image1 and image2 each take {@code inputShape})
     */
    public record Entry(String name, String builder, List<Long> inputShape, long params, long buffers, long bytes,
                        String onnx, String onnxNote, List<Tensor> tensors, String graph, List<String> inputNames) {
        public Entry {
            inputShape = List.copyOf(inputShape);
            tensors = List.copyOf(tensors);
            inputNames = List.copyOf(inputNames);
        }

        public Entry(String name, String builder, List<Long> inputShape, long params, long buffers, long bytes,
                     String onnx, String onnxNote, List<Tensor> tensors) {
            this(name, builder, inputShape, params, buffers, bytes, onnx, onnxNote, tensors,
                    onnx == null ? null : "audit/catalog/" + onnx, List.of());
        }

        /** Whether its graph is a TorchScript archive (read at its input shapes) rather than ONNX. */
        public boolean torchScript() {
            return graph != null && graph.endsWith(".pt.gz");
        }

        /** One signature file as make_catalog.py writes it; fields it does not use are skipped. */
        static Entry parse(String json) {
            String name = null;
            String builder = null;
            String onnx = null;
            String onnxNote = null;
            long params = 0;
            long buffers = 0;
            long bytes = 0;
            List<Long> input = new ArrayList<>();
            List<Tensor> tensors = new ArrayList<>();
            try (JsonParser parser = JSON.createParser(json)) {
                expect(parser, JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    switch (field) {
                        case "name" -> name = parser.getText();
                        case "builder" -> builder = parser.getText();
                        case "onnx" -> onnx = value == JsonToken.VALUE_NULL ? null : parser.getText();
                        case "onnxNote" -> onnxNote = value == JsonToken.VALUE_NULL ? null : parser.getText();
                        case "params" -> params = parser.getLongValue();
                        case "buffers" -> buffers = parser.getLongValue();
                        case "bytes" -> bytes = parser.getLongValue();
                        case "inputShape" -> longs(parser, input);
                        case "tensors" -> {
                            // [[name, [dims], dtype, "param" | "buffer"], ...]
                            while (parser.nextToken() == JsonToken.START_ARRAY) {
                                expect(parser, JsonToken.VALUE_STRING);
                                String tensor = parser.getText();
                                expect(parser, JsonToken.START_ARRAY);
                                List<Long> shape = new ArrayList<>();
                                longs(parser, shape);
                                expect(parser, JsonToken.VALUE_STRING);
                                DType dtype = DType.fromDisplayName(parser.getText());
                                expect(parser, JsonToken.VALUE_STRING);
                                boolean buffer = parser.getText().equals("buffer");
                                expect(parser, JsonToken.END_ARRAY);
                                tensors.add(new Tensor(tensor, shape, dtype, buffer));
                            }
                        }
                        default -> parser.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Entry(name, builder, input, params, buffers, bytes, onnx, onnxNote, tensors);
        }

        private static void expect(JsonParser parser, JsonToken token) throws IOException {
            if (parser.nextToken() != token) {
                throw new IllegalStateException("The architecture catalog's signature is not as make_catalog.py writes it at "
                        + parser.currentLocation() + "; rebuild it with /usr/bin/python3 scripts/make_catalog.py.");
            }
        }

        /** The numbers of the array whose START_ARRAY is the current token. */
        private static void longs(JsonParser parser, List<Long> into) throws IOException {
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                into.add(parser.getLongValue());
            }
        }

        /** The structure-only graph's bytes (ONNX or a TorchScript archive), ungzipped. */
        public byte[] graphBytes() {
            if (graph == null) {
                throw new IllegalStateException("Catalog entry '" + name + "' has no graph: " + onnxNote + ".");
            }
            try (InputStream in = Catalog.class.getResourceAsStream(RESOURCES + graph)) {
                if (in == null) {
                    throw new IllegalStateException("The architecture catalog misses " + RESOURCES + graph + "; rebuild it with /usr/bin/python3 scripts/make_catalog.py.");
                }
                return new java.util.zip.GZIPInputStream(in).readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
