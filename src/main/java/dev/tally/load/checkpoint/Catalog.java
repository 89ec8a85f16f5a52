package dev.tally.load.checkpoint;

import dev.tally.ir.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The known architectures, generated with real PyTorch into {@code resources/dev/tally/audit/catalog}: the classifiers of
 * {@code scripts/make_catalog.py} (each entry's state_dict signature and, for most, a structure-only ONNX graph, gzipped,
 * no weights, to count it with), then every other builder of the weights catalog (segmentation, detection, video,
 * optical flow, ViT at its SWAG input), counted on the weights catalog's own graphs ({@code resources/dev/tally/catalog}).
 * Every signature is in one front-coded text file that {@code scripts/make_signatures.py} writes ({@link Signatures}).
 */
public final class Catalog {
    public static final String FOLDER = "/dev/tally/audit/catalog/";
    /**
     * Every entry's signature (scripts/make_signatures.py packs make_catalog.py's per-architecture JSON files, which the jar
     * does not ship, and adds the weights catalog's other builders), in {@link #FOLDER}.
     */
    public static final String SIGNATURES = "signatures.txt.gz";
    private static final String RESOURCES = "/dev/tally/";
    private static Catalog standard;

    private final List<Entry> entries;

    public Catalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The catalog shipped with Tally, read once. */
    public static synchronized Catalog standard() {
        if (standard == null) {
            standard = new Catalog(Signatures.merge(Signatures.parse(read(SIGNATURES))));
        }
        return standard;
    }

    /** The shipped entries whose state_dict has a tensor called {@code tensorName}. */
    public static Catalog standardNaming(String tensorName) {
        return new Catalog(standard().entries.stream().filter(e -> e.tensors().stream().anyMatch(t -> t.name().equals(tensorName))).toList());
    }

    public List<Entry> entries() {
        return entries;
    }

    public Optional<Entry> entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * The float model a quantized entry quantizes: the entry that is not quantized and has its graph (the weights catalog
     * costs a quantized row on its unquantized weights' float graph, and the quantized entry keeps that graph).
     */
    public Optional<Entry> floatModel(Entry quantized) {
        return entries.stream().filter(e -> !e.quantized() && e.graph() != null && e.graph().equals(quantized.graph())).findFirst();
    }

    private static String read(String name) {
        try (InputStream in = Catalog.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("The architecture catalog misses " + FOLDER + name + "; rebuild it with /usr/bin/python3 scripts/make_signatures.py.");
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

        /** Whether it is a quantized model (torchvision.models.quantization): its state_dict holds int8 tensors. */
        public boolean quantized() {
            return tensors.stream().anyMatch(t -> t.dtype().isQuantized());
        }

        /** Whether its graph is a TorchScript archive (read at its input shapes) rather than ONNX. */
        public boolean torchScript() {
            return graph != null && graph.endsWith(".pt.gz");
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
