package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import org.junit.jupiter.api.Test;

class PoolRulesTest {
    private static Op maxPool1d(long n, long k, long s, long p, long d, boolean ceil) {
        return Op.of("MaxPool").input(1, 1, n).attrs("kernel_shape", k).attrs("strides", s).attrs("pads", p, p)
                .attrs("dilations", d).attr("ceil_mode", ceil ? 1 : 0);
    }

    @Test
    void ceilModeSizesMatchPyTorch() {
        // torch F.max_pool1d(ones(1,1,n), k, s, p, d, ceil_mode=True).shape[-1] for each case:
        assertThat(maxPool1d(112, 3, 2, 0, 1, true).shape()).isEqualTo(dims(1, 1, 56));
        assertThat(maxPool1d(113, 3, 2, 0, 1, true).shape()).isEqualTo(dims(1, 1, 56));
        assertThat(maxPool1d(55, 3, 2, 0, 1, true).shape()).isEqualTo(dims(1, 1, 27));
        assertThat(maxPool1d(10, 3, 3, 1, 2, true).shape()).isEqualTo(dims(1, 1, 4));
        assertThat(maxPool1d(9, 2, 2, 0, 1, true).shape()).isEqualTo(dims(1, 1, 5));
        assertThat(maxPool1d(9, 2, 2, 0, 1, false).shape()).isEqualTo(dims(1, 1, 4));
    }

    @Test
    void ceilModeDropsALastWindowThatWouldStartInsideTheRightPadding() {
        // ceil((5 + 2 - 2) / 2) + 1 = 4, but window 3 starts at 6 - 1 = 5, past the input: PyTorch gives 3.
        assertThat(maxPool1d(5, 2, 2, 1, 1, true).shape()).isEqualTo(dims(1, 1, 3));
    }

    @Test
    void maxPoolCountsKernelMinusOneComparisonsPerOutput() {
        Op pool = Op.of("MaxPool").input(1, 64, 56, 56).attrs("kernel_shape", 2, 2).attrs("strides", 2, 2);
        assertThat(pool.shape()).isEqualTo(dims(1, 64, 28, 28));
        assertThat(pool.ops()).isEqualTo(150528L);
        assertThat(pool.macs()).isZero();
    }

    @Test
    void aThreeDimensionalMaxPoolUsesEveryAxis() {
        Op pool = Op.of("MaxPool").input(1, 2, 8, 8, 8).attrs("kernel_shape", 2, 2, 2).attrs("strides", 2, 2, 2);
        assertThat(pool.shape()).isEqualTo(dims(1, 2, 4, 4, 4));
        assertThat(pool.ops()).isEqualTo(2L * 64 * 7);
    }

    @Test
    void averagePoolCountsPaddingOnlyWhenAskedAndClipsAtTheBorder() {
        // 5x5, k3 s2 p1, ceil: per axis the windows hold 3,3,3 elements with padding, 2,3,2 without.
        // PyTorch's divisors (1 / dY/dX of F.avg_pool2d) summed over outputs: 81 and 49.
        Op included = Op.of("AveragePool").input(1, 1, 5, 5).attrs("kernel_shape", 3, 3).attrs("strides", 2, 2)
                .attrs("pads", 1, 1, 1, 1).attr("ceil_mode", 1).attr("count_include_pad", 1);
        Op excluded = Op.of("AveragePool").input(1, 1, 5, 5).attrs("kernel_shape", 3, 3).attrs("strides", 2, 2)
                .attrs("pads", 1, 1, 1, 1).attr("ceil_mode", 1);
        assertThat(included.shape()).isEqualTo(dims(1, 1, 3, 3));
        assertThat(included.ops()).isEqualTo(81);
        assertThat(excluded.ops()).isEqualTo(49);
    }

    @Test
    void averagePoolOverOneAxisAndThreeAxesMatchPyTorchDivisors() {
        // torch: avg_pool1d(ones(1,1,6), 3, 2, 1) divisors sum to 9 with padding counted, 8 without.
        Op oneD = Op.of("AveragePool").input(1, 1, 6).attrs("kernel_shape", 3).attrs("strides", 2).attrs("pads", 1, 1);
        assertThat(oneD.shape()).isEqualTo(dims(1, 1, 3));
        assertThat(oneD.ops()).isEqualTo(8);
        assertThat(Op.of("AveragePool").input(1, 1, 6).attrs("kernel_shape", 3).attrs("strides", 2).attrs("pads", 1, 1)
                .attr("count_include_pad", 1).ops()).isEqualTo(9);
        // avg_pool3d(ones(1,2,4,4,4), 2, 2): 16 outputs of 8 elements.
        Op threeD = Op.of("AveragePool").input(1, 2, 4, 4, 4).attrs("kernel_shape", 2, 2, 2).attrs("strides", 2, 2, 2);
        assertThat(threeD.ops()).isEqualTo(128);
        // inception_v3's avg_pool2d(3, stride 1, padding 1) on 7x7 without padding counted: 361 (PyTorch).
        Op inception = Op.of("AveragePool").input(1, 1, 7, 7).attrs("kernel_shape", 3, 3).attrs("pads", 1, 1, 1, 1);
        assertThat(inception.ops()).isEqualTo(361);
    }

    @Test
    void averagePoolWithSameUpperPadding() {
        // ONNX: out = ceil(5 / 2) = 3; total pad (3-1)*2 + 3 - 5 = 2 -> 1 and 1.
        Op pool = Op.of("AveragePool").input(1, 1, 5).attrs("kernel_shape", 3).attrs("strides", 2).attr("auto_pad", "SAME_UPPER");
        assertThat(pool.shape()).isEqualTo(dims(1, 1, 3));
        assertThat(pool.ops()).as("windows of 2, 3 and 2 real elements").isEqualTo(7);
    }

    @Test
    void globalPoolsReduceEverySpatialAxis() {
        Op average = Op.of("GlobalAveragePool").input(2, 512, 7, 7);
        assertThat(average.shape()).isEqualTo(dims(2, 512, 1, 1));
        assertThat(average.ops()).isEqualTo(2L * 512 * 49);
        assertThat(Op.of("GlobalMaxPool").input(2, 512, 7, 7).ops()).isEqualTo(2L * 512 * 48);
    }

    @Test
    void adaptiveWindowsFollowPyTorchsFloorAndCeilBounds() {
        // Window sizes from torch (Jacobian of F.adaptive_avg_pool1d): 7->3 [3,3,3], 10->4 [3,3,3,3],
        // 3->7 [1,1,2,1,2,1,1], 224->7 [32 x 7].
        assertThat(AdaptivePoolRule.windowSum(7, 3)).isEqualTo(9);
        assertThat(AdaptivePoolRule.windowSum(10, 4)).isEqualTo(12);
        assertThat(AdaptivePoolRule.windowSum(3, 7)).isEqualTo(9);
        assertThat(AdaptivePoolRule.windowSum(224, 7)).isEqualTo(224);
        assertThat(AdaptivePoolRule.windowSum(5, 5)).isEqualTo(5);
    }

    @Test
    void adaptivePoolsCostTheirWindowsSeparably() {
        // 7x10 -> 3x4: rows 9 (3 windows of 3), columns 12 (4 windows of 3): 108 elements averaged per channel.
        Op average = Op.of("AdaptiveAveragePool").input(1, 2, 7, 10).attrs("output_size", 3, 4);
        assertThat(average.shape()).isEqualTo(dims(1, 2, 3, 4));
        assertThat(average.ops()).isEqualTo(2L * 9 * 12);
        Op max = Op.of("AdaptiveMaxPool").input(1, 2, 7, 10).attrs("output_size", 3, 4);
        assertThat(max.ops()).isEqualTo(2L * 9 * 12 - 2 * 12);
        // AlexNet's avgpool at 6x6 -> 6x6 is one element per window.
        assertThat(Op.of("AdaptiveAveragePool").input(1, 256, 6, 6).attrs("output_size", 6, 6).ops()).isEqualTo(256L * 36);
    }

    @Test
    void anAdaptiveSizeOfZeroKeepsTheInputSizeAsPyTorchsNone() {
        assertThat(Op.of("AdaptiveAveragePool").input(1, 2, 7, 10).attrs("output_size", 0, 5).shape()).isEqualTo(dims(1, 2, 7, 5));
    }

    @Test
    void aPoolWithoutKernelShapeIsAnError() {
        assertThatThrownBy(() -> Op.of("MaxPool").input(1, 1, 4, 4).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (MaxPool): attribute 'kernel_shape' is missing.");
    }
}
