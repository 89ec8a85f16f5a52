package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import org.junit.jupiter.api.Test;

class ConvRuleTest {
    @Test
    void aOneDimensionalConvWithStrideAndPaddingMatchesPyTorch() {
        // torch: F.conv1d(ones(1,16,100), ones(32,16,5), stride=3, padding=2).shape == (1, 32, 34)
        Op conv = Op.of("Conv").input(1, 16, 100).input(32, 16, 5).input(32).attrs("strides", 3).attrs("pads", 2, 2);
        assertThat(conv.shape()).isEqualTo(dims(1, 32, 34));
        assertThat(conv.macs()).isEqualTo(32L * 34 * 16 * 5);
        assertThat(conv.ops()).isEqualTo(32L * 34 * (16 * 5 + 1));
    }

    @Test
    void aTwoDimensionalConvTakesItsKernelFromTheWeightWhenKernelShapeIsAbsent() {
        // (227 + 2 + 2 - 11) / 4 + 1 = 56
        Op conv = Op.of("Conv").input(1, 3, 227, 227).input(64, 3, 11, 11).input(64)
                .attrs("strides", 4, 4).attrs("pads", 2, 2, 2, 2);
        assertThat(conv.shape()).isEqualTo(dims(1, 64, 56, 56));
        assertThat(conv.macs()).isEqualTo(72855552L);
        assertThat(conv.ops()).isEqualTo(73056256L);
    }

    @Test
    void aThreeDimensionalConvHasPerAxisStridesAndPads() {
        // torch: F.conv3d(ones(2,3,8,9,10), ones(6,3,3,3,3), stride=(1,2,3), padding=(1,0,1)).shape == (2,6,8,4,4)
        Op conv = Op.of("Conv").input(2, 3, 8, 9, 10).input(6, 3, 3, 3, 3)
                .attrs("strides", 1, 2, 3).attrs("pads", 1, 0, 1, 1, 0, 1);
        assertThat(conv.shape()).isEqualTo(dims(2, 6, 8, 4, 4));
        assertThat(conv.macs()).isEqualTo(2L * 6 * 8 * 4 * 4 * 3 * 27);
        assertThat(conv.ops()).as("no bias, so ops equal macs").isEqualTo(conv.macs());
    }

    @Test
    void aGroupedDilatedConvCountsOnlyTheChannelsOfItsGroup() {
        // torch: F.conv2d(ones(1,4,15,15), ones(8,2,3,3), stride=2, padding=1, dilation=2, groups=2).shape == (1,8,7,7)
        Op conv = Op.of("Conv").input(1, 4, 15, 15).input(8, 2, 3, 3).input(8)
                .attrs("strides", 2, 2).attrs("pads", 1, 1, 1, 1).attrs("dilations", 2, 2).attr("group", 2);
        assertThat(conv.shape()).isEqualTo(dims(1, 8, 7, 7));
        assertThat(conv.macs()).isEqualTo(8L * 7 * 7 * 2 * 9);
        assertThat(conv.ops()).isEqualTo(8L * 7 * 7 * (2 * 9 + 1));
    }

    @Test
    void aDepthwiseConvIsOneInputChannelPerOutput() {
        // MobileNetV2's 3x3 depthwise: 1x32x112x112, 32 groups, stride 1, pad 1.
        Op conv = Op.of("Conv").input(1, 32, 112, 112).input(32, 1, 3, 3)
                .attrs("kernel_shape", 3, 3).attrs("pads", 1, 1, 1, 1).attr("group", 32);
        assertThat(conv.shape()).isEqualTo(dims(1, 32, 112, 112));
        assertThat(conv.macs()).isEqualTo(32L * 112 * 112 * 9);
    }

    @Test
    void sameUpperPutsTheOddPadAtTheEndAndSameLowerAtTheBeginning() {
        // ONNX auto_pad: out = ceil(10 / 3) = 4; total pad = (4-1)*3 + 4 - 10 = 3 -> 1 before, 2 after (UPPER).
        Op upper = Op.of("Conv").input(1, 1, 10).input(1, 1, 4).attrs("strides", 3).attr("auto_pad", "SAME_UPPER");
        Op lower = Op.of("Conv").input(1, 1, 10).input(1, 1, 4).attrs("strides", 3).attr("auto_pad", "SAME_LOWER");
        Op valid = Op.of("Conv").input(1, 1, 10).input(1, 1, 4).attrs("strides", 3).attr("auto_pad", "VALID");
        assertThat(upper.shape()).isEqualTo(dims(1, 1, 4));
        assertThat(lower.shape()).isEqualTo(dims(1, 1, 4));
        // VALID: floor((10 - 4) / 3) + 1 = 3
        assertThat(valid.shape()).isEqualTo(dims(1, 1, 3));
    }

    @Test
    void aWeightOfTheWrongRankIsNamedInTheMessage() {
        Op conv = Op.of("Conv").input(1, 3, 8, 8).input(4, 3);
        assertThatThrownBy(conv::shape).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Conv): input 'W' has rank 2, expected 3 to 5 (Cout x Cin/group x kernel).");
    }

    @Test
    void channelsThatDoNotMatchTheGroupAreAnError() {
        Op conv = Op.of("Conv").input(1, 6, 8, 8).input(4, 4, 3, 3).attr("group", 2);
        assertThatThrownBy(conv::shape).isInstanceOf(ModelException.class)
                .hasMessageContaining("input 'X' has 6 channels").hasMessageEndingWith(".");
    }

    @Test
    void aWindowLargerThanThePaddedInputIsAnError() {
        Op conv = Op.of("Conv").input(1, 1, 3, 3).input(1, 1, 5, 5);
        assertThatThrownBy(conv::shape).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Conv): spatial axis 0 has size 3 with pads 0/0, smaller than the window"
                        + " of 5 (kernel 5, dilation 1).");
    }

    @Test
    void aTransposedConvCountsEveryInputElementTimesItsOutputChannelsAndKernel() {
        // torch: F.conv_transpose2d(ones(1,8,7,7), ones(8,4,3,3), stride=2, padding=1, output_padding=1).shape == (1,4,14,14)
        Op convT = Op.of("ConvTranspose").input(1, 8, 7, 7).input(8, 4, 3, 3).input(4)
                .attrs("strides", 2, 2).attrs("pads", 1, 1, 1, 1).attrs("output_padding", 1, 1);
        assertThat(convT.shape()).isEqualTo(dims(1, 4, 14, 14));
        assertThat(convT.macs()).isEqualTo(8L * 7 * 7 * 4 * 9);
        assertThat(convT.ops()).isEqualTo(8L * 7 * 7 * 4 * 9 + 4 * 14 * 14);
    }
}
