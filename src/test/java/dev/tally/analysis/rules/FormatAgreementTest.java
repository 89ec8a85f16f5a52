package dev.tally.analysis.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The IR ops the TorchScript loader emits must count what the ONNX export of the same module counts, so a model
 * gives the same figures from a {@code .pt} and from an {@code .onnx} file.
 */
class FormatAgreementTest {
    @Test
    void linearCountsAsGemmWithTransposedWeight() {
        Op linear = Op.of("Linear").input(1, 9216).input(4096, 9216).input(4096);
        Op gemm = Op.of("Gemm").input(1, 9216).input(4096, 9216).input(4096).attr("transB", 1);
        assertThat(linear.cost()).isEqualTo(gemm.cost());
        assertThat(linear.shape()).isEqualTo(gemm.shape());
    }

    @Test
    void linearOverTokensCountsAsMatMulPlusTheBiasAdd() {
        // ONNX exports a 3-D F.linear as MatMul with the transposed weight, then Add of the bias.
        Op linear = Op.of("Linear").input(1, 197, 768).input(2304, 768).input(2304);
        Op matmul = Op.of("MatMul").input(1, 197, 768).input(768, 2304);
        Op add = Op.of("Add").input(1, 197, 2304).input(2304);
        assertThat(linear.macs()).isEqualTo(matmul.macs());
        assertThat(linear.ops()).isEqualTo(matmul.ops() + add.ops());
    }

    @Test
    void adaptiveAveragePoolToOneCountsAsGlobalAveragePool() {
        Op adaptive = Op.of("AdaptiveAveragePool").input(1, 2048, 7, 7).attrs("output_size", 1, 1);
        Op global = Op.of("GlobalAveragePool").input(1, 2048, 7, 7);
        assertThat(adaptive.shape()).isEqualTo(global.shape());
        assertThat(adaptive.cost()).isEqualTo(global.cost());
    }

    @Test
    void adaptiveAveragePoolWithEvenWindowsCountsAsAveragePool() {
        // AlexNet's AdaptiveAvgPool2d((6, 6)) at 13x13 has overlapping windows; at 12x12 it is AveragePool(2, 2).
        Op adaptive = Op.of("AdaptiveAveragePool").input(1, 256, 12, 12).attrs("output_size", 6, 6);
        Op average = Op.of("AveragePool").input(1, 256, 12, 12).attrs("kernel_shape", 2, 2).attrs("strides", 2, 2);
        assertThat(adaptive.shape()).isEqualTo(average.shape());
        assertThat(adaptive.cost()).isEqualTo(average.cost());
        // 13 -> 6: windows [0,3) [2,5) [4,7) [6,9) [8,11) [10,13), 3 each: 18 per axis.
        assertThat(Op.of("AdaptiveAveragePool").input(1, 256, 13, 13).attrs("output_size", 6, 6).ops()).isEqualTo(256L * 18 * 18);
    }

    @Test
    void geluCountsAsTheDivErfAddMulMulChainOfItsOnnxExport() {
        long chain = Op.of("Div").input(1, 197, 3072).input().ops()
                + Op.of("Erf").input(1, 197, 3072).ops()
                + Op.of("Add").input(1, 197, 3072).input().ops()
                + Op.of("Mul").input(1, 197, 3072).input(1, 197, 3072).ops()
                + Op.of("Mul").input(1, 197, 3072).input().ops();
        assertThat(Op.of("Gelu").input(1, 197, 3072).ops()).isEqualTo(chain);
    }

    @Test
    void hardtanhAsClipCountsAsRelu() {
        assertThat(Op.of("Clip").input(1, 32, 112, 112).ops()).isEqualTo(Op.of("Relu").input(1, 32, 112, 112).ops());
    }
}
