package dev.tally.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Every torchvision weights entry, as {@code scripts/make_weights_catalog.py} wrote them into the resources. */
public final class WeightsCatalog {
    static final String RESOURCES = "/dev/tally/";
    private static final String FILE = RESOURCES + "catalog/weights.json.gz";
    // Metrics are decimals as torchvision wrote them (56.522): read them as BigDecimal so they print unchanged.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static WeightsCatalog standard;

    private final String torchvision;
    private final List<WeightsEntry> entries;

    public WeightsCatalog(String torchvision, List<WeightsEntry> entries) {
        this.torchvision = torchvision;
        this.entries = List.copyOf(entries);
    }

    /** The catalog shipped with Tally, read once. */
    public static synchronized WeightsCatalog standard() {
        if (standard == null) {
            JsonNode data = read(FILE);
            List<WeightsEntry> entries = new ArrayList<>();
            data.get("entries").forEach(e -> entries.add(WeightsEntry.from(e)));
            standard = new WeightsCatalog(data.get("torchvision").asText(), entries);
        }
        return standard;
    }

    public List<WeightsEntry> entries() {
        return entries;
    }

    /** The torchvision version the metadata was copied from. */
    public String torchvision() {
        return torchvision;
    }

    static JsonNode read(String resource) {
        try (InputStream in = WeightsCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The weights catalog misses " + resource + "; rebuild it with /usr/bin/python3 scripts/make_weights_catalog.py.");
            }
            return JSON.readTree(new GZIPInputStream(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a gzipped graph resource ({@code audit/catalog/resnet50.onnx.gz}), ungzipped. */
    static byte[] graphBytes(String resource) {
        try (InputStream in = WeightsCatalog.class.getResourceAsStream(RESOURCES + resource)) {
            if (in == null) {
                throw new IllegalStateException("The weights catalog misses " + RESOURCES + resource + "; rebuild it with /usr/bin/python3 scripts/make_weights_catalog.py.");
            }
            return new GZIPInputStream(in).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
