package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import org.junit.jupiter.api.Test;

/** Normalisation, softmax and reductions: the ops the shared conventions leave to docs/conventions.md. */
class NormalizationRulesTest {
    @Test
    void batchNormInEvalModeIsOneMultiplyAndOneAddPerElement() {
        Op bn = Op.of("BatchNormalization").input(1, 64, 56, 56).input(64).input(64).input(64).input(64);
        assertThat(bn.shape()).isEqualTo(dims(1, 64, 56, 56));
        assertThat(bn.ops()).isEqualTo(2L * 64 * 56 * 56);
        assertThat(bn.macs()).isZero();
    }

    @Test
    void batchNormStatisticsOfTheWrongSizeAreAnError() {
        Op bn = Op.of("BatchNormalization").input(1, 64, 5, 5).input(64).input(64).input(32).input(64);
        assertThatThrownBy(bn::shape).isInstanceOf(ModelException.class).hasMessage(
                "test.onnx: Node 'n' (BatchNormalization): input 'input_mean' has shape 32, expected 64 (the channels of 'X').");
    }

    @Test
    void layerNormCountsMeanVarianceAndTheAffineStepPerRow() {
        // ViT: 197 rows of 768. Per row 5*768 + 2, plus scale and bias per element.
        Op ln = Op.of("LayerNormalization").input(1, 197, 768).input(768).input(768).attr("axis", -1);
        assertThat(ln.shape()).isEqualTo(dims(1, 197, 768));
        assertThat(ln.ops()).isEqualTo(197L * (5 * 768 + 2) + 2L * 197 * 768);
        Op noAffine = Op.of("LayerNormalization").input(2, 3, 4).attr("axis", 1);
        // axis 1: 2 rows of 12
        assertThat(noAffine.ops()).isEqualTo(2L * (5 * 12 + 2));
    }

    @Test
    void layerNormIsTheSameCountAsTheOpset13ChainItReplaces() {
        // convnext at opset 13 exports LayerNorm as ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add.
        long rows = 56 * 56;
        long n = 96;
        long numel = rows * n;
        long chain = Op.of("ReduceMean").input(1, 56, 56, 96).ints(-1).ops()    // mean: n per row
                + Op.of("Sub").input(1, 56, 56, 96).input(1, 56, 56, 1).ops()     // x - mean
                + Op.of("Pow").input(1, 56, 56, 96).input().ops()                 // square
                + Op.of("ReduceMean").input(1, 56, 56, 96).ints(-1).ops()         // variance
                + Op.of("Add").input(1, 56, 56, 1).input().ops()                  // + eps
                + Op.of("Sqrt").input(1, 56, 56, 1).ops()
                + Op.of("Div").input(1, 56, 56, 96).input(1, 56, 56, 1).ops()
                + Op.of("Mul").input(1, 56, 56, 96).input(96).ops()
                + Op.of("Add").input(1, 56, 56, 96).input(96).ops();
        assertThat(chain).isEqualTo(rows * (5 * n + 2) + 2 * numel);
        assertThat(Op.of("LayerNormalization").input(1, 56, 56, 96).input(96).input(96).ops()).isEqualTo(chain);
    }

    @Test
    void instanceNormNormalisesEachPlaneAndScalesPerChannel() {
        Op in = Op.of("InstanceNormalization").input(2, 3, 4, 5).input(3).input(3);
        assertThat(in.shape()).isEqualTo(dims(2, 3, 4, 5));
        assertThat(in.ops()).isEqualTo(6L * (5 * 20 + 2) + 2L * 120);
    }

    @Test
    void groupNormNormalisesEachGroupAndScalesPerChannel() {
        // 2 samples, 6 channels in 3 groups of 2 channels x 5 positions: 6 rows of m = 10.
        Op gn = Op.of("GroupNormalization").input(2, 6, 5).input(6).input(6).attr("num_groups", 3);
        assertThat(gn.shape()).isEqualTo(dims(2, 6, 5));
        assertThat(gn.macs()).isZero();
        assertThat(gn.ops()).isEqualTo(6L * (5 * 10 + 2) + 2L * 60 + 2L * 60);
        assertThat(Op.of("GroupNormalization").input(2, 6, 5).attr("num_groups", 3).ops()).as("without weight and bias")
                .isEqualTo(6L * (5 * 10 + 2) + 2L * 60);
        assertThatThrownBy(() -> Op.of("GroupNormalization").input(2, 6, 5).attr("num_groups", 4).shape())
                .isInstanceOf(ModelException.class).hasMessageContaining("num_groups 4 does not divide the 6 channels of 'X'");
    }

    @Test
    void groupNormIsTheSameCountAsTheChainTorchOnnxWritesForIt() {
        // conv_tasnet_base's GroupNorm(1, 512) on 1 x 512 x 999: Reshape to 1 x 1 x 511488, InstanceNormalization with
        // scale 1 and bias 0, Reshape back, Mul by the weight (512 x 1), Add the bias (512 x 1).
        long chain = Op.of("InstanceNormalization").input(1, 1, 512 * 999).input(1).input(1).ops()
                + Op.of("Mul").input(1, 512, 999).input(512, 1).ops()
                + Op.of("Add").input(1, 512, 999).input(512, 1).ops();
        assertThat(Op.of("GroupNormalization").input(1, 512, 999).input(512).input(512).attr("num_groups", 1).ops())
                .isEqualTo(chain).isEqualTo(1L * (5 * 512 * 999 + 2) + 4L * 512 * 999);
    }

    @Test
    void lrnCountsItsClippedChannelWindows() {
        // AlexNet-v1 style LRN size 5 over 4 channels: windows hold 3, 4, 4, 3 channels; per element 2w + 3.
        Op lrn = Op.of("LRN").input(1, 4, 2, 2).attr("size", 5);
        assertThat(lrn.shape()).isEqualTo(dims(1, 4, 2, 2));
        assertThat(lrn.ops()).isEqualTo(4L * ((2 * 3 + 3) + (2 * 4 + 3) + (2 * 4 + 3) + (2 * 3 + 3)));
    }

    @Test
    void softmaxIsAnExpAndADividePerElementAndTheRowSums() {
        Op softmax = Op.of("Softmax").input(1, 12, 197, 197).attr("axis", -1);
        long numel = 12L * 197 * 197;
        assertThat(softmax.ops()).isEqualTo(numel + (numel - 12L * 197) + numel);
        assertThat(Op.of("LogSoftmax").input(2, 10).attr("axis", 1).ops()).isEqualTo(60);
        assertThat(Op.of("Softmax").input(2, 10).attr("axis", 0).ops()).as("10 columns of 2").isEqualTo(60 - 10);
    }

    @Test
    void reductionsKeepOrDropTheirAxes() {
        Op mean = Op.of("ReduceMean").input(1, 1024, 7, 7).attrs("axes", 2, 3).attr("keepdims", 0);
        assertThat(mean.shape()).isEqualTo(dims(1, 1024));
        assertThat(mean.ops()).isEqualTo(1024L * 49);
        Op sum = Op.of("ReduceSum").input(2, 3, 4).ints(1);
        assertThat(sum.shape()).isEqualTo(dims(2, 1, 4));
        assertThat(sum.ops()).isEqualTo(24 - 8);
        assertThat(Op.of("ReduceMax").input(2, 3, 4).shape()).as("all axes by default").isEqualTo(dims(1, 1, 1));
        assertThat(Op.of("ReduceMean").input(2, 3).attr("noop_with_empty_axes", 1).shape()).isEqualTo(dims(2, 3));
        assertThat(Op.of("ReduceProd").ints(2, 3, 4).attr("keepdims", 0).longs()).containsExactly(24);
        assertThat(Op.of("ReduceMin").ints(5, 3, 4).longs()).containsExactly(3);
    }

    @Test
    void reduceL2SquaresAddsAndTakesOneRootPerOutput() {
        // Swin V2's F.normalize(q, dim=-1) at opset 13: ReduceL2 over the 32 channels of each of 3 heads x 64 tokens.
        Op norm = Op.of("ReduceL2").input(1, 3, 64, 32).attrs("axes", -1);
        assertThat(norm.shape()).isEqualTo(dims(1, 3, 64, 1));
        // Per output: 32 squares, 31 adds, 1 square root = 64 = 2 x 32.
        assertThat(norm.ops()).isEqualTo(3L * 64 * (32 + 31 + 1));
        assertThat(norm.macs()).isZero();
        // sqrt(3^2 + 4^2 + 0^2 + 0^2) = 5, computed when the values are known.
        assertThat(Op.of("ReduceL2").ints(3, 4, 0, 0).attrs("axes", 0).attr("keepdims", 0).doubles()).containsExactly(5.0);
    }
}
