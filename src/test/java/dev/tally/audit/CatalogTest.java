package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The catalog shipped in the jar: structure only and small, with torchvision's published parameter counts
 * (https://pytorch.org/vision/0.14/models.html) for the models every reader knows.
 */
class CatalogTest {
    private final Catalog catalog = Catalog.standard();

    @Test
    void knownModelsHaveTorchvisionsPublishedParameterCounts() {
        assertThat(catalog.entry("alexnet").orElseThrow().params()).isEqualTo(61_100_840L);
        assertThat(catalog.entry("vgg16").orElseThrow().params()).isEqualTo(138_357_544L);
        assertThat(catalog.entry("resnet18").orElseThrow().params()).isEqualTo(11_689_512L);
        assertThat(catalog.entry("resnet50").orElseThrow().params()).isEqualTo(25_557_032L);
    }

    @Test
    void everyEntryHasAGraphOrSaysWhyNot() {
        assertThat(catalog.entries()).allSatisfy(e -> assertThat(e.onnx() != null || e.onnxNote() != null).as(e.name()).isTrue());
        assertThat(catalog.entries()).allSatisfy(e -> assertThat(e.tensors()).as(e.name()).isNotEmpty());
    }

    @Test
    void theWholeCatalogStaysUnderThreeMegabytes() throws IOException {
        long total = 0;
        for (Catalog.Entry entry : catalog.entries()) {
            total += size(entry.name() + ".json");
            if (entry.onnx() != null) {
                total += size(entry.onnx());
            }
        }
        assertThat(total).isLessThan(3L * 1024 * 1024);
    }

    @Test
    void aStructureOnlyGraphHoldsNoWeights() {
        Catalog.Entry vgg16 = catalog.entry("vgg16").orElseThrow();
        // 138 M float32 params would be 553 MB; the graph without them is a few KB.
        assertThat(vgg16.onnxBytes().length).isLessThan(64 * 1024);
    }

    private static long size(String resource) throws IOException {
        try (InputStream in = Catalog.class.getResourceAsStream(Catalog.FOLDER + resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes().length;
        }
    }
}
