package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import org.junit.jupiter.api.Test;

/** Gemm, Linear, MatMul and Einsum: the ops with multiply-accumulates besides Conv. */
class ProductRulesTest {
    @Test
    void gemmWithTransposedWeightCountsInTimesOutAndOneBiasAddPerOutput() {
        Op gemm = Op.of("Gemm").input(1, 9216).input(4096, 9216).input(4096).attr("transB", 1);
        assertThat(gemm.shape()).isEqualTo(dims(1, 4096));
        assertThat(gemm.macs()).isEqualTo(9216L * 4096);
        assertThat(gemm.ops()).isEqualTo(4096L * 9217);
    }

    @Test
    void gemmRespectsTransAAndWorksWithoutBias() {
        Op gemm = Op.of("Gemm").input(5, 3).input(5, 7).attr("transA", 1);
        assertThat(gemm.shape()).isEqualTo(dims(3, 7));
        assertThat(gemm.macs()).isEqualTo(3L * 5 * 7);
        assertThat(gemm.ops()).isEqualTo(3L * 5 * 7);
    }

    @Test
    void gemmWithMismatchedInnerSizesNamesBothInputs() {
        assertThatThrownBy(() -> Op.of("Gemm").input(2, 3).input(4, 5).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Gemm): inputs 'A' (2x3) and 'B' (4x5) have inner sizes 3 and 4.");
    }

    @Test
    void linearMultipliesItsLeadingDimsIn() {
        // ViT's MLP: 1x197x768 -> 3072
        Op linear = Op.of("Linear").input(1, 197, 768).input(3072, 768).input(3072);
        assertThat(linear.shape()).isEqualTo(dims(1, 197, 3072));
        assertThat(linear.macs()).isEqualTo(197L * 768 * 3072);
        assertThat(linear.ops()).isEqualTo(197L * 3072 * 769);
        Op noBias = Op.of("Linear").input(4, 10).input(3, 10);
        assertThat(noBias.shape()).isEqualTo(dims(4, 3));
        assertThat(noBias.ops()).isEqualTo(4L * 3 * 10);
    }

    @Test
    void linearRejectsAnInputWhoseLastDimIsNotInFeatures() {
        assertThatThrownBy(() -> Op.of("Linear").input(4, 9).input(3, 10).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Linear): input 'X' has shape 4x9, expected its last dim to be 10"
                        + " (in_features of 'W' 3x10).");
    }

    @Test
    void matmulBroadcastsBatchDimsAndHandlesOneDimensionalOperandsAsNumpy() {
        // torch.matmul shapes: (3)@(3) -> (), (2,5,3,4)@(4) -> (2,5,3), (4)@(7,4,6) -> (7,6), (2,1,3,4)@(5,4,6) -> (2,5,3,6)
        Op dot = Op.of("MatMul").input(3).input(3);
        assertThat(dot.shape()).isEqualTo(Shape.scalar());
        assertThat(dot.macs()).isEqualTo(3);
        assertThat(Op.of("MatMul").input(2, 5, 3, 4).input(4).shape()).isEqualTo(dims(2, 5, 3));
        assertThat(Op.of("MatMul").input(4).input(7, 4, 6).shape()).isEqualTo(dims(7, 6));
        Op batched = Op.of("MatMul").input(2, 1, 3, 4).input(5, 4, 6);
        assertThat(batched.shape()).isEqualTo(dims(2, 5, 3, 6));
        assertThat(batched.macs()).isEqualTo(2L * 5 * 3 * 6 * 4);
        assertThat(batched.ops()).isEqualTo(batched.macs());
    }

    @Test
    void attentionScoresCostOutputShapeTimesTheHeadDim() {
        // ViT-B/16: q @ k^T for 12 heads of 197 tokens and 64 dims
        Op scores = Op.of("MatMul").input(1, 12, 197, 64).input(1, 12, 64, 197);
        assertThat(scores.shape()).isEqualTo(dims(1, 12, 197, 197));
        assertThat(scores.macs()).isEqualTo(12L * 197 * 197 * 64);
    }

    @Test
    void einsumCostsTheOutputShapeTimesTheContractedDims() {
        // torch.einsum("bhqd,bhkd->bhqk", ones(2,3,5,8), ones(2,3,7,8)).shape == (2,3,5,7)
        Op einsum = Op.of("Einsum").input(2, 3, 5, 8).input(2, 3, 7, 8).attr("equation", "bhqd,bhkd->bhqk");
        assertThat(einsum.shape()).isEqualTo(dims(2, 3, 5, 7));
        assertThat(einsum.macs()).isEqualTo(2L * 3 * 5 * 7 * 8);
    }

    @Test
    void einsumWithEllipsisAndAnImplicitOutput() {
        // torch.einsum("...ij,...jk", ones(4,2,3), ones(3,5)).shape == (4,2,5)
        Op einsum = Op.of("Einsum").input(4, 2, 3).input(3, 5).attr("equation", "...ij,...jk");
        assertThat(einsum.shape()).isEqualTo(dims(4, 2, 5));
        assertThat(einsum.macs()).isEqualTo(4L * 2 * 5 * 3);
    }

    @Test
    void aOneOperandEinsumThatSumsCostsAddsOnly() {
        Op trace = Op.of("Einsum").input(6, 4).attr("equation", "ij->i");
        assertThat(trace.shape()).isEqualTo(dims(6));
        assertThat(trace.macs()).isZero();
        assertThat(trace.ops()).isEqualTo(24 - 6);
    }

    @Test
    void threeOperandEinsumContractsLeftToRight() {
        // "ij,jk,kl->il" with 2x3, 3x4, 4x5: first step i,j,k = 24 (result ik), then i,k,l = 40.
        Op chain = Op.of("Einsum").input(2, 3).input(3, 4).input(4, 5).attr("equation", "ij,jk,kl->il");
        assertThat(chain.shape()).isEqualTo(dims(2, 5));
        assertThat(chain.macs()).isEqualTo(24 + 40);
    }
}
