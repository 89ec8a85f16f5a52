package dev.tally.load.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file, as the format's specification (huggingface/safetensors, README "Format")
 * lays it out: an unsigned 64-bit little-endian length N, then N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the byte after the header), with
 * an optional {@code "__metadata__"} map of strings; then the tensors' bytes. The file is hostile input: the
 * length is capped (100,000,000 bytes, the reference implementation's limit), the JSON read with duplicate keys
 * refused, every range must lie inside the file, match its dtype and shape, and overlap no other. Only the
 * header is read.
 *
 * @param dataStart the file offset of the byte buffer ({@code 8 + N}); a tensor's bytes are at
 *                  {@code dataStart + begin}
 */
public record SafetensorsHeader(Path path, long headerBytes, long dataStart, List<Tensor> tensors,
                                Map<String, String> metadata) {
    /** The reference implementation's cap on the header length (safetensors' {@code MAX_HEADER_SIZE}). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /**
     * The header's JSON reader, in a holder class: every summary asks {@link #looksLike} first, and an ObjectMapper
     * made then (Jackson's first costs about 50 ms of class initialisation on a cold JVM) would slow every ONNX
     * and TorchScript summary for the sake of safetensors files.
     */
    private static final class Json {
        static final ObjectMapper READER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    public SafetensorsHeader {
        tensors = List.copyOf(tensors);
        metadata = Map.copyOf(metadata);
    }

    /** One tensor: its dtype as the file spells it ({@code F32}), its shape and its byte range in the buffer. */
    public record Tensor(String name, String dtypeName, DType dtype, List<Long> shape, long begin, long end) {
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

    /** The dtypes of the specification with their element sizes in bits, and the IR type each maps to. */
    private record Kind(DType dtype, int bits) {
    }

    private static final Map<String, Kind> DTYPES = Map.ofEntries(
            Map.entry("BOOL", new Kind(DType.BOOL, 8)),
            Map.entry("U8", new Kind(DType.UINT8, 8)),
            Map.entry("I8", new Kind(DType.INT8, 8)),
            // 8-bit floats have no IR type yet: listed as "other", their bytes counted from the range.
            Map.entry("F8_E5M2", new Kind(DType.OTHER, 8)),
            Map.entry("F8_E4M3", new Kind(DType.OTHER, 8)),
            Map.entry("I16", new Kind(DType.INT16, 16)),
            Map.entry("U16", new Kind(DType.UINT16, 16)),
            Map.entry("F16", new Kind(DType.FLOAT16, 16)),
            Map.entry("BF16", new Kind(DType.BFLOAT16, 16)),
            Map.entry("I32", new Kind(DType.INT32, 32)),
            Map.entry("U32", new Kind(DType.UINT32, 32)),
            Map.entry("F32", new Kind(DType.FLOAT32, 32)),
            Map.entry("F64", new Kind(DType.FLOAT64, 64)),
            Map.entry("I64", new Kind(DType.INT64, 64)),
            Map.entry("U64", new Kind(DType.UINT64, 64)));

    /**
     * Whether the file starts as a safetensors file does: a length below 2^40 whose JSON starts with '{'. A
     * length past the end of the file still counts, so that {@link #read} can say what is wrong with it.
     */
    public static boolean looksLike(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && channel.read(head) > 0) {
                // read until 9 bytes or the end
            }
            if (head.position() < 9) {
                return false;
            }
            long length = head.getLong(0);
            return length >= 2 && length < (1L << 40) && head.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }

    public static SafetensorsHeader read(Path path) {
        String file = path.getFileName().toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelException(file + " is too short for a safetensors file (" + size + " bytes, the header length alone takes 8).");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long length = lengthBytes.getLong(0);
            if (length < 0 || length > MAX_HEADER_BYTES) {
                throw new ModelException(file + ": the safetensors header length " + Long.toUnsignedString(length)
                        + " exceeds the " + MAX_HEADER_BYTES + "-byte limit; the file is corrupt or not safetensors.");
            }
            if (8 + length > size) {
                throw new ModelException(file + ": the safetensors header length " + length + " reaches past the end of the "
                        + size + "-byte file; the file is truncated or corrupt.");
            }
            ByteBuffer json = ByteBuffer.allocate((int) length);
            while (json.hasRemaining() && channel.read(json, 8 + json.position()) > 0) {
                // read the whole header
            }
            return parse(path, new String(json.array(), StandardCharsets.UTF_8), length, size - 8 - length);
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read: " + e.getMessage() + ".");
        }
    }

    private static SafetensorsHeader parse(Path path, String text, long headerBytes, long bufferBytes) {
        String file = path.getFileName().toString();
        JsonNode root;
        try {
            root = Json.READER.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            if (why != null && why.startsWith("Duplicate field")) {
                throw new ModelException(file + ": the safetensors header names a key twice (" + why.substring(why.indexOf('\'')).strip()
                        + "); the file is corrupt.");
            }
            throw new ModelException(file + ": the safetensors header is not valid JSON (" + (why == null ? "" : why.lines().findFirst().orElse(""))
                    + "); the file is corrupt.");
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(file + ": the safetensors header is not a JSON object; the file is corrupt.");
        }
        List<Tensor> tensors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("__metadata__")) {
                readMetadata(file, entry.getValue(), metadata);
            } else {
                tensors.add(tensor(file, entry.getKey(), entry.getValue(), bufferBytes));
            }
        }
        List<Tensor> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Tensor before = byOffset.get(i - 1);
            Tensor after = byOffset.get(i);
            if (after.begin() < before.end()) {
                throw new ModelException(file + ": the safetensors tensors '" + before.name() + "' and '" + after.name()
                        + "' overlap (bytes " + before.begin() + "-" + before.end() + " and " + after.begin() + "-" + after.end()
                        + "); the file is corrupt or crafted.");
            }
        }
        return new SafetensorsHeader(path, headerBytes, 8 + headerBytes, tensors, metadata);
    }

    private static void readMetadata(String file, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) {
            throw new ModelException(file + ": the safetensors '__metadata__' is not a map of strings; the file is corrupt.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw new ModelException(file + ": the safetensors '__metadata__' entry '" + field.getKey()
                        + "' is not a string; the file is corrupt.");
            }
            metadata.put(field.getKey(), field.getValue().asText());
        }
    }

    private static Tensor tensor(String file, String name, JsonNode node, long bufferBytes) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new ModelException(where + " is not an object with dtype, shape and data_offsets; the file is corrupt.");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelException(where + " has no dtype; the file is corrupt.");
        }
        Kind kind = DTYPES.get(dtypeNode.asText());
        if (kind == null) {
            throw new ModelException(where + " has the unknown dtype '" + dtypeNode.asText() + "'; safetensors defines "
                    + String.join(", ", DTYPES.keySet().stream().sorted().toList()) + ".");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new ModelException(where + " has no shape list; the file is corrupt.");
        }
        List<Long> shape = new ArrayList<>();
        for (JsonNode dim : shapeNode) {
            if (!dim.canConvertToExactIntegral() || !dim.canConvertToLong() || dim.asLong() < 0) {
                throw new ModelException(where + " has the shape " + shapeNode + ", whose dims must be integers of 0 or more.");
            }
            shape.add(dim.asLong());
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong() || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new ModelException(where + " has no data_offsets [begin, end]; the file is corrupt.");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > bufferBytes) {
            throw new ModelException(where + " has data_offsets [" + begin + ", " + end + "] outside the "
                    + bufferBytes + " bytes after the header; the file is truncated or corrupt.");
        }
        Tensor tensor = new Tensor(name, dtypeNode.asText(), kind.dtype(), shape, begin, end);
        long bits;
        try {
            bits = Math.multiplyExact(tensor.numel(), (long) kind.bits());
        } catch (ArithmeticException e) {
            throw new ModelException(where + " has the shape " + shape + ", too large to count; the file is corrupt.");
        }
        if ((bits + 7) / 8 != end - begin) {
            throw new ModelException(where + " is " + dtypeNode.asText() + " " + shape + ", " + (bits + 7) / 8
                    + " bytes, but its data_offsets span " + (end - begin) + "; the file is corrupt.");
        }
        return tensor;
    }
}
