package dev.tally.load.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
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

    /** What torchvision 0.14.1's {@code list_models(module=torchvision.models)} prints: its 80 classifiers. */
    private static final List<String> TORCHVISION_CLASSIFIERS = List.of(
            "alexnet", "convnext_base", "convnext_large", "convnext_small", "convnext_tiny", "densenet121",
            "densenet161", "densenet169", "densenet201", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2",
            "efficientnet_b3", "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
            "efficientnet_v2_l", "efficientnet_v2_m", "efficientnet_v2_s", "googlenet", "inception_v3", "maxvit_t",
            "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3", "mobilenet_v2", "mobilenet_v3_large",
            "mobilenet_v3_small", "regnet_x_16gf", "regnet_x_1_6gf", "regnet_x_32gf", "regnet_x_3_2gf",
            "regnet_x_400mf", "regnet_x_800mf", "regnet_x_8gf", "regnet_y_128gf", "regnet_y_16gf", "regnet_y_1_6gf",
            "regnet_y_32gf", "regnet_y_3_2gf", "regnet_y_400mf", "regnet_y_800mf", "regnet_y_8gf", "resnet101",
            "resnet152", "resnet18", "resnet34", "resnet50", "resnext101_32x8d", "resnext101_64x4d", "resnext50_32x4d",
            "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "squeezenet1_0",
            "squeezenet1_1", "swin_b", "swin_s", "swin_t", "swin_v2_b", "swin_v2_s", "swin_v2_t", "vgg11", "vgg11_bn",
            "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "vit_b_16", "vit_b_32", "vit_h_14",
            "vit_l_16", "vit_l_32", "wide_resnet101_2", "wide_resnet50_2");

    @Test
    void everyTorchvisionClassifierLeNet5AndTheWorksheetNetAreInTheCatalog() {
        List<String> names = catalog.entries().stream().map(Catalog.Entry::name).toList();
        assertThat(names).containsAll(TORCHVISION_CLASSIFIERS).contains("lenet5", "worksheet", "googlenet_noaux", "inception_v3_noaux");
    }

    @Test
    void theOtherTasksBuildersAreInTheCatalogWithTheWeightsCatalogsGraphs() {
        // Read from make_signatures.py's file: segmentation, detection, video and optical flow, ViT at its SWAG inputs.
        assertThat(catalog.entry("maskrcnn_resnet50_fpn").orElseThrow().graph()).isEqualTo("catalog/maskrcnn_resnet50_fpn_800x800.onnx.gz");
        Catalog.Entry raft = catalog.entry("raft_small").orElseThrow();
        assertThat(raft.torchScript()).isTrue();
        assertThat(raft.inputNames()).containsExactly("image1", "image2");
        assertThat(raft.params()).isEqualTo(990_162L);
        assertThat(catalog.entry("vit_b_16_384x384").orElseThrow().inputShape()).containsExactly(1L, 3L, 384L, 384L);
        // A classifier make_catalog.py kept no graph for is counted on the weights catalog's graph of the same keys and shapes.
        assertThat(catalog.entry("vit_l_16").orElseThrow().graph()).isEqualTo("catalog/vit_l_16_224x224.onnx.gz");
        assertThat(catalog.entry("swin_b").orElseThrow().torchScript()).isTrue();
        // A detection backbone's FrozenBatchNorm2d keeps its weight and bias as buffers: PyTorch's own roles.
        assertThat(catalog.entry("fasterrcnn_resnet50_fpn").orElseThrow().tensors()).filteredOn(t -> t.name().equals("backbone.body.bn1.weight"))
                .singleElement().satisfies(t -> assertThat(t.buffer()).isTrue());
        // A quantized builder: its int8 state_dict (a Linear's packed tuple flattened), counted as the float model of its graph.
        Catalog.Entry quantized = catalog.entry("quantized_resnet18").orElseThrow();
        assertThat(quantized.quantized()).isTrue();
        assertThat(quantized.tensors()).filteredOn(t -> t.name().equals("fc._packed_params._packed_params.weight")).singleElement()
                .satisfies(t -> assertThat(t.shape()).containsExactly(1000L, 512L))
                .satisfies(t -> assertThat(t.dtype()).isEqualTo(dev.tally.ir.DType.QINT8))
                .satisfies(t -> assertThat(t.buffer()).isFalse());
        assertThat(catalog.floatModel(quantized)).map(Catalog.Entry::name).hasValue("resnet18");
        assertThat(catalog.floatModel(catalog.entry("quantized_googlenet").orElseThrow())).map(Catalog.Entry::name).hasValue("googlenet_noaux");
        assertThat(catalog.entry("resnet18").orElseThrow().quantized()).isFalse();
    }

    @Test
    void everyEntryHasAGraphOrSaysWhyNot() {
        assertThat(catalog.entries()).allSatisfy(e -> assertThat(e.graph() != null || e.onnxNote() != null).as(e.name()).isTrue());
        assertThat(catalog.entries()).allSatisfy(e -> assertThat(e.tensors()).as(e.name()).isNotEmpty());
    }

    @Test
    void theWholeCatalogStaysUnderThreeMegabytes() throws IOException {
        // Every signature is one file; the graphs of the classifiers, the other builders' are the weights catalog's.
        long total = size(Catalog.SIGNATURES);
        for (Catalog.Entry entry : catalog.entries()) {
            if (entry.onnx() != null) {
                total += size(entry.onnx());
            }
        }
        assertThat(total).isLessThan(3L * 1024 * 1024);
        // 125 entries' front-coded signatures, against 150,768 B for the classifiers' gzipped JSON files alone.
        assertThat(size(Catalog.SIGNATURES)).isLessThan(50_000);
        assertThat(Catalog.class.getResource(Catalog.FOLDER + "alexnet.json.gz")).as("make_catalog.py's JSON is not shipped").isNull();
    }

    @Test
    void aStructureOnlyGraphHoldsNoWeights() {
        Catalog.Entry vgg16 = catalog.entry("vgg16").orElseThrow();
        // 138 M float32 params would be 553 MB; the graph without them is a few KB.
        assertThat(vgg16.graphBytes().length).isLessThan(64 * 1024);
    }

    private static long size(String resource) throws IOException {
        try (InputStream in = Catalog.class.getResourceAsStream(Catalog.FOLDER + resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes().length;
        }
    }
}
