package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.ir.DType;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import java.nio.file.Path;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SummaryBuilderTest {

    static Analysis analyse(Model model) {
        return new Analyzer(TinyRules.table()).analyze(model, Map.of(), false);
    }

    static Summary summarize(Model model, int depth) {
        return SummaryBuilder.build(analyse(model), depth).check();
    }

    @Test
    void theWorksheetNetworkReproducesEveryRowOfTheWorksheetUnderOps() {
        Summary summary = summarize(TestModels.worksheet(), 0);

        // reference/worksheet-alexnet.md, with the flatten row (0 params, 0 ops) the worksheet allows.
        List<String> names = summary.layers().stream().map(LayerSummary::name).toList();
        List<Long> params = summary.layers().stream().map(LayerSummary::params).toList();
        List<Long> ops = summary.layers().stream().map(LayerSummary::ops).toList();
        List<String> shapes = summary.layers().stream()
                .map(l -> l.outputShape().orElseThrow().toDisplayString()).toList();
        assertThat(names).containsExactly("features.0", "features.1", "features.2", "features.3", "features.4",
                "features.5", "features.6", "features.7", "features.8", "features.9", "features.10", "features.11",
                "features.12", "flatten", "classifier.0", "classifier.1", "classifier.2", "classifier.3",
                "classifier.4", "classifier.5", "classifier.6");
        assertThat(params).containsExactly(23296L, 0L, 0L, 307392L, 0L, 0L, 663936L, 0L, 884992L, 0L, 590080L, 0L, 0L,
                0L, 0L, 37752832L, 0L, 0L, 16781312L, 0L, 4097000L);
        assertThat(ops).containsExactly(73056256L, 401408L, 150528L, 240995328L, 301056L, 112896L, 130131456L,
                150528L, 173458432L, 100352L, 115655680L, 100352L, 138240L, 0L, 0L, 37752832L, 8192L, 0L, 16781312L,
                8192L, 4097000L);
        assertThat(shapes).containsExactly("1x64x56x56", "1x64x56x56", "1x64x28x28", "1x192x28x28", "1x192x28x28",
                "1x192x14x14", "1x384x14x14", "1x384x14x14", "1x256x14x14", "1x256x14x14", "1x256x14x14",
                "1x256x14x14", "1x256x6x6", "1x9216", "1x9216", "1x4096", "1x4096", "1x4096", "1x4096", "1x4096",
                "1x1000");
        assertThat(summary.totals().params()).isEqualTo(61_100_840L);
        assertThat(summary.totals().ops()).isEqualTo(793_400_040L);
    }

    @Test
    void worksheetMacsAreOpsWithoutTheBiasAddsAndFlopsAreTwiceThat() {
        Totals totals = summarize(TestModels.worksheet(), 0).totals();

        // Conv ops minus one bias add per output element; Linear in*out: 72,855,552 + 240,844,800 + 130,056,192
        // + 173,408,256 + 115,605,504 + 37,748,736 + 16,777,216 + 4,096,000.
        assertThat(totals.macs()).isEqualTo(791_392_256L);
        assertThat(totals.flops()).isEqualTo(1_582_784_512L);
        assertThat(totals.count(Convention.MACS)).isEqualTo(791_392_256L);
        assertThat(totals.count(Convention.OPS)).isEqualTo(793_400_040L);
    }

    @Test
    void activationMemoryIsFourBytesPerElementOfEveryTensorANodeAllocates() {
        Summary summary = summarize(TestModels.worksheet(), 0);

        assertThat(summary.layers().get(0).activationBytes()).isEqualTo(784L * 1024); // 64x56x56 floats = 784 KiB
        // Elements of the tensors the 21 rows allocate: the convs, pools and linears. The ReLUs run in place (ONNX
        // records no flag; torchvision builds them with inplace=True), the flatten is a view and the dropouts pass
        // their input on, so those rows allocate nothing (docs/conventions.md, Part 3).
        long elements = 200704 + 50176 + 150528 + 37632 + 75264 + 50176 + 50176 + 9216 + 4096 + 4096 + 1000;
        assertThat(summary.layers().get(1).activationBytes()).isZero();
        assertThat(summary.totals().activationBytes()).isEqualTo(4 * elements).isEqualTo(2_532_256L);
        assertThat(summary.totals().paramBytes()).isEqualTo(4 * 61_100_840L);
        assertThat(summary.totals().buffers()).isZero();
    }

    @Test
    void aModuleCalledTwiceGetsOneRowPerCallInExecutionOrder() {
        Summary summary = summarize(TestModels.blocks(), 0);

        assertThat(summary.layers()).extracting(LayerSummary::name).containsExactly("stem.conv", "layer1.0.conv1",
                "layer1.0.relu (call 1 of 2)", "layer1.0.conv2", "layer1.0.relu (call 2 of 2)", "layer1.1.conv1", "pool",
                "flatten", "fc", LayerSummary.NOT_USED_BY_FORWARD);
        for (int row : new int[] {2, 4}) {
            LayerSummary relu = summary.layers().get(row);
            assertThat(relu.nodes()).isEqualTo(1);
            assertThat(relu.ops()).isEqualTo(2 * 64); // a ReLU of 1x4x4x4, compare and assign
            assertThat(relu.type()).isEqualTo("Relu");
        }
    }

    @Test
    void depthTwoFoldsBlocksIntoTheirParentModule() {
        Summary summary = summarize(TestModels.blocks(), 2);

        assertThat(summary.layers()).extracting(LayerSummary::name).containsExactly("stem.conv", "layer1.0", "layer1.1",
                "pool", "flatten", "fc", LayerSummary.NOT_USED_BY_FORWARD);
        LayerSummary block = summary.layers().get(1);
        // conv1 and conv2 are 4->4 1x1 without bias: 16 weights and 64 * 4 MACs each; two ReLUs of 64 elements.
        assertThat(block.params()).isEqualTo(32);
        assertThat(block.macs()).isEqualTo(512);
        assertThat(block.ops()).isEqualTo(256 + 128 + 256 + 128);
        assertThat(block.nodes()).isEqualTo(4);
        // The file records no module classes, and the row folds several modules: the path names it, no op does.
        assertThat(block.type()).isEqualTo("-");
        assertThat(block.outputShape()).contains(Shape.of(1, 4, 4, 4));
        assertThat(summary.depth()).isEqualTo(2);
    }

    @Test
    void depthOneFoldsToTopLevelModulesAndKeepsTheTotals() {
        Summary folded = summarize(TestModels.blocks(), 1);
        Summary full = summarize(TestModels.blocks(), 0);

        assertThat(folded.layers()).extracting(LayerSummary::name).containsExactly("stem", "layer1", "pool", "flatten",
                "fc", LayerSummary.NOT_USED_BY_FORWARD);
        LayerSummary layer1 = folded.layers().get(1);
        assertThat(layer1.params()).isEqualTo(16 + 16 + 20);
        assertThat(layer1.macs()).isEqualTo(3 * 256);
        assertThat(layer1.ops()).isEqualTo(256 + 128 + 256 + 128 + 64 * 5);
        assertThat(layer1.activationBytes()).isEqualTo(3 * 64 * 4); // three convs; the two ReLUs run in place
        assertThat(folded.totals()).isEqualTo(full.totals());
    }

    @Test
    void theBlocksTotalsAreTheHandWorkedSums() {
        Totals totals = summarize(TestModels.blocks(), 0).totals();

        // params: stem 2*4*9+4, convs 16+16+20, fc 16*3+3, aux.weight 5; buffers: aux.running_mean 5.
        assertThat(totals.params()).isEqualTo(76 + 52 + 51 + 5);
        assertThat(totals.buffers()).isEqualTo(5);
        assertThat(totals.paramBytes()).isEqualTo(4 * (184 + 5));
        // macs: stem 64 outputs * 18, three 1x1 convs 64 * 4 each, fc 16 * 3.
        assertThat(totals.macs()).isEqualTo(1152 + 768 + 48);
        assertThat(totals.flops()).isEqualTo(2 * 1968);
        // ops: stem 64 * 19, block 1088, pool 16 * 3, flatten 0, fc 3 * 17.
        assertThat(totals.ops()).isEqualTo(1216 + 1088 + 48 + 51);
        // bytes allocated: 4 conv outputs of 64 floats, pool 16 floats, fc 3 floats; the ReLUs run in place and the
        // flatten is a view.
        assertThat(totals.activationBytes()).isEqualTo(4 * (4 * 64 + 16 + 3));
    }

    @Test
    void paramsNoNodeReadsGetTheirOwnRowAndUnreadBuffersANoteSoRowsAndNoteSumToTheTotals() {
        Summary summary = summarize(TestModels.blocks(), 0);

        LayerSummary unused = summary.layers().get(summary.layers().size() - 1);
        assertThat(unused.name()).isEqualTo("(not used by forward)");
        assertThat(unused.params()).isEqualTo(5);
        assertThat(unused.buffers()).isZero();
        assertThat(unused.paramBytes()).isEqualTo(20);
        assertThat(unused.outputShape()).isEmpty();
        assertThat(unused.nodes()).isZero();
        assertThat(summary.unreadBuffers().buffers()).isEqualTo(5);
        assertThat(summary.unreadBuffers().paramBytes()).isEqualTo(20);
        assertThat(summary.notes()).anySatisfy(note -> assertThat(note)
                .isEqualTo("Buffers no forward reads are counted in the buffers total but shown in no row: 1 tensor of 5 elements (aux.running_mean)."));
        assertThat(summary.layerSums().plus(summary.unreadBuffers())).isEqualTo(summary.totals().additive());
    }

    @Test
    void aSymbolicBatchBecomesOneAndTheSummarySaysSo() {
        Summary summary = summarize(TestModels.blocks(), 0);

        assertThat(summary.inputs()).singleElement().satisfies(input -> {
            assertThat(input.shape()).contains(Shape.of(1, 2, 4, 4));
            assertThat(input.origin()).isEqualTo("batch defaulted to 1");
        });
        assertThat(summary.notes()).first().asString().contains("'x'", "symbolic batch");
        assertThat(summary.outputs()).singleElement().satisfies(o -> assertThat(o.shape()).contains(Shape.of(1, 3)));
    }

    @Test
    void unsupportedOpsAreListedWithTheirNodesAndTheNodesTheyStarveAreCountedAsUnresolved() {
        Summary summary = summarize(TestModels.withUnsupportedOp(), 0);

        assertThat(summary.unsupported()).containsExactly(
                new UnsupportedOp("Mystery", 1, List.of("/head/head.mystery/Mystery")));
        assertThat(summary.unresolvedNodes()).isEqualTo(1);
        assertThat(summary.isComplete()).isFalse();
        assertThat(summary.outputs().get(0).shape()).isEmpty();
        LayerSummary mystery = summary.layers().get(1);
        assertThat(mystery.isComplete()).isFalse();
        assertThat(mystery.outputShape()).isEmpty();
        assertThat(summary.layers().get(0).isComplete()).isTrue();
    }

    @Test
    void checkRejectsRowsThatDoNotAddUpToTheTotals() {
        Summary good = summarize(TestModels.blocks(), 0);
        Totals wrong = good.totals().plus(new Totals(1, 0, 4, 0, 0, 0, 0));
        Summary bad = new Summary(good.model(), good.inputs(), good.outputs(), good.layers(), wrong, good.unsupported(),
                good.unresolvedNodes(), good.notes(), good.depth());

        assertThatThrownBy(bad::check).isInstanceOf(IllegalStateException.class).hasMessageContaining("blocks.onnx");
    }

    @Test
    void aTotalThatOverflowsIsAModelErrorNeverAWrongNumber() {
        // Two stored tensors of 2^62 float32 elements: their bytes alone are 2^65.
        Graph graph = new Graph("huge", List.of(), List.of(), List.of(), Map.of(
                "a", new Param("a", Shape.of(1L << 62), DType.FLOAT32, Role.PARAM),
                "b", new Param("b", Shape.of(1L << 62), DType.FLOAT32, Role.PARAM)), Map.of());
        Model model = new Model(Path.of("huge.onnx"), ModelFormat.ONNX, "", graph, List.of());

        assertThatThrownBy(() -> SummaryBuilder.build(analyse(model), 0)).isInstanceOf(ModelException.class)
                .hasMessage("huge.onnx: a total overflows a 64-bit integer, so no exact count can be given; check the"
                        + " model's tensor sizes.");
    }

    @Test
    void foldKeepsTheFirstComponentsOfAModulePath() {
        assertThat(SummaryBuilder.fold("layer1.0.conv1", 2)).isEqualTo("layer1.0");
        assertThat(SummaryBuilder.fold("layer1.0.conv1", 1)).isEqualTo("layer1");
        assertThat(SummaryBuilder.fold("layer1.0.conv1", 3)).isEqualTo("layer1.0.conv1");
        assertThat(SummaryBuilder.fold("layer1.0.conv1", 9)).isEqualTo("layer1.0.conv1");
        assertThat(SummaryBuilder.fold("/Flatten", 1)).isEqualTo("/Flatten");
        assertThat(SummaryBuilder.fold("layer1.0.conv1", 0)).isEqualTo("layer1.0.conv1");
    }

    @Test
    void theSummaryKnowsItsFileAndEveryConventionsDefinition() {
        Summary summary = summarize(TestModels.worksheet(), 0);

        assertThat(summary.model()).isEqualTo(new ModelInfo("worksheet.onnx", ModelFormat.ONNX, "pytorch 1.13.1"));
        assertThat(summary.conventions()).containsOnlyKeys("macs", "flops", "ops");
        assertThat(summary.layers().get(0).outputShape()).isEqualTo(Optional.of(Shape.of(1, 64, 56, 56)));
    }

    /**
     * On a large graph the training run goes on a second thread beside the inference run and the rows, from the same
     * preparation (each run with its own state): the summary must be the very same as when it runs after them. Real
     * exports with views, in-place ops, strided layouts and fused ops, each summarised both ways.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"resnet18.onnx", "swin_t.onnx", "vit_b_16.onnx",
        "densenet121.onnx", "mobilenet_v3_large.onnx", "resnet50.traced.pt", "densenet121.scripted.pt"})
    void theTrainingRunOnASecondThreadGivesTheSameSummary(String file) {
        Map<String, dev.tally.ir.Shape> input = dev.tally.analysis.InputShapes.parseOverrides(java.util.List.of("2x3x224x224"));
        Map<String, dev.tally.ir.Shape> shapes = file.endsWith(".pt") ? input : Map.of();
        Analysis analysis = new Analyzer().analyze(
                dev.tally.load.ModelLoader.load(dev.tally.testing.Fixtures.file(file), shapes), shapes, false);

        for (dev.tally.analysis.Optimizer optimizer : dev.tally.analysis.Optimizer.values()) {
            Summary after = SummaryBuilder.build(analysis, 0, dev.tally.analysis.Mode.TRAINING, optimizer, Integer.MAX_VALUE);
            Summary beside = SummaryBuilder.build(analysis, 0, dev.tally.analysis.Mode.TRAINING, optimizer, 0);

            assertThat(after.totals().training().total()).as(optimizer.name()).isPositive();
            assertThat(beside).as(optimizer.name()).isEqualTo(after);
        }
    }
}
