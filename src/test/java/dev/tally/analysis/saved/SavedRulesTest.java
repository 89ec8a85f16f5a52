package dev.tally.analysis.saved;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.TensorInfo;
import dev.tally.analysis.fused.ExportedGelu;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each op family keeps for backward, with the bytes worked out by hand from what torch 1.13's autograd saves
 * (the grad_fn's {@code _saved_*} tensors, listed in each rule's Javadoc).
 */
class SavedRulesTest {
    private static final SavedRules RULES = SavedRules.standard();

    private static TensorInfo f32(long... dims) {
        return TensorInfo.of(DType.FLOAT32, Shape.of(dims));
    }

    private static Kept kept(String op, List<TensorInfo> inputs, List<TensorInfo> outputs) {
        return RULES.rule(op).orElseThrow().kept(inputs, outputs);
    }

    @Test
    void convolutionAndLinearKeepTheirInputOnly() {
        // ConvolutionBackward0 saves input and weight; the weight is a parameter, stored anyway.
        assertThat(kept("Conv", List.of(f32(2, 3, 8, 8), f32(4, 3, 3, 3), f32(4)), List.of(f32(2, 4, 6, 6))))
                .isEqualTo(new Kept(List.of(0), List.of(), 0));
        assertThat(kept("Gemm", List.of(f32(2, 10), f32(5, 10), f32(5)), List.of(f32(2, 5))).inputs()).containsExactly(0);
    }

    @Test
    void reluKeepsItsOutputAndHardtanhItsInput() {
        assertThat(kept("Relu", List.of(f32(1, 4)), List.of(f32(1, 4)))).isEqualTo(new Kept(List.of(), List.of(0), 0));
        assertThat(kept("Clip", List.of(f32(1, 4)), List.of(f32(1, 4)))).isEqualTo(new Kept(List.of(0), List.of(), 0));
    }

    @Test
    void maxPoolKeepsItsInputAndAnInt64IndexPerOutput() {
        // 1 x 64 x 27 x 27 outputs = 46,656 indices of 8 bytes.
        Kept kept = kept("MaxPool", List.of(f32(1, 64, 55, 55)), List.of(f32(1, 64, 27, 27)));
        assertThat(kept.inputs()).containsExactly(0);
        assertThat(kept.freshBytes()).isEqualTo(46_656L * 8);
    }

    @Test
    void batchNormKeepsItsInputAndTwoFloatsPerChannelWhateverTheBatch() {
        // save_mean and save_invstd: 2 x 64 channels x 4 B = 512 B at batch 1 and at batch 8.
        assertThat(kept("BatchNormalization", List.of(f32(1, 64, 56, 56)), List.of(f32(1, 64, 56, 56))))
                .isEqualTo(new Kept(List.of(0), List.of(), 512));
        assertThat(kept("BatchNormalization", List.of(f32(8, 64, 56, 56)), List.of(f32(8, 64, 56, 56))).freshBytes()).isEqualTo(512);
    }

    @Test
    void layerNormKeepsTwoFloatsPerNormalisedRow() {
        // 2 x 197 rows of 768: 394 rows x 2 floats x 4 B = 3,152 B.
        assertThat(kept("LayerNormalization", List.of(f32(2, 197, 768)), List.of(f32(2, 197, 768))).freshBytes()).isEqualTo(3_152);
    }

    @Test
    void dropoutKeepsAMaskOfItsInputsSizeAndType() {
        // On CPU the mask is a float tensor like the input: 9,216 x 4 B.
        assertThat(kept("Dropout", List.of(f32(1, 9216)), List.of(f32(1, 9216)))).isEqualTo(new Kept(List.of(), List.of(), 36_864));
    }

    @Test
    void sumsConcatenationsAndViewsKeepNothingAndUnknownOpsHaveNoRule() {
        assertThat(kept("Add", List.of(f32(1, 4), f32(1, 4)), List.of(f32(1, 4)))).isEqualTo(Kept.NOTHING);
        assertThat(kept("Concat", List.of(f32(1, 4), f32(1, 4)), List.of(f32(1, 8)))).isEqualTo(Kept.NOTHING);
        assertThat(kept("Flatten", List.of(f32(1, 2, 2)), List.of(f32(1, 4)))).isEqualTo(Kept.NOTHING);
        assertThat(RULES.rule("NonMaxSuppression")).isEmpty();
    }

    @Test
    void aProductKeepsTheOtherFactorOfEachOperandThatNeedsAGradient() {
        List<TensorInfo> two = List.of(f32(1, 4), f32(1, 4));
        List<TensorInfo> out = List.of(f32(1, 4));
        // MulBackward0: other for self's gradient, self for other's; a constant needs none.
        assertThat(RULES.rule("Mul").orElseThrow().kept(two, out, List.of(true, true)).inputs()).containsExactly(0, 1);
        assertThat(RULES.rule("Mul").orElseThrow().kept(two, out, List.of(true, false)).inputs()).containsExactly(1);
        assertThat(RULES.rule("Mul").orElseThrow().kept(two, out, List.of(false, true)).inputs()).containsExactly(0);
        // DivBackward0: other for either gradient, self only for other's.
        assertThat(RULES.rule("Div").orElseThrow().kept(two, out, List.of(true, false)).inputs()).containsExactly(1);
        assertThat(RULES.rule("Div").orElseThrow().kept(two, out, List.of(false, true)).inputs()).containsExactly(0, 1);
    }

    @Test
    void siluAndExportedGeluPartsKeepTheirInputOnce() {
        Map<String, Attribute> silu = Map.of(SavedRules.PART_OF, new Attribute.Str("Silu"));
        Node sigmoid = new Node("s", "Sigmoid", List.of("x"), List.of("s"), silu, "");
        Node mul = new Node("m", "Mul", List.of("x", "s"), List.of("y"), silu, "");
        List<TensorInfo> one = List.of(f32(1, 4));
        assertThat(RULES.rule(sigmoid).orElseThrow().kept(one, one)).isEqualTo(Kept.NOTHING);
        assertThat(RULES.rule(mul).orElseThrow().kept(List.of(f32(1, 4), f32(1, 4)), one).inputs()).containsExactly(0);

        List<Node> gelu = List.of(
                new Node("d", "Div", List.of("x", "c"), List.of("d"), Map.of(), ""),
                new Node("e", "Erf", List.of("d"), List.of("e"), Map.of(), ""),
                new Node("a", "Add", List.of("e", "one"), List.of("a"), Map.of(), ""),
                new Node("m", "Mul", List.of("x", "a"), List.of("m"), Map.of(), ""),
                new Node("h", "Mul", List.of("m", "half"), List.of("y"), Map.of(), ""));
        assertThat(ExportedGelu.parts(gelu)).isEqualTo(Map.of(1, "Gelu/Erf", 3, "Gelu/Mul"));
        assertThat(RULES.part("Gelu/Erf").orElseThrow().kept(one, one)).isEqualTo(Kept.NOTHING);
        assertThat(RULES.part("Gelu/Mul").orElseThrow().kept(List.of(f32(1, 4), f32(1, 4)), one).inputs()).containsExactly(0);
        // x multiplied by something else than erf(x / c) + 1 is not a GELU.
        assertThat(ExportedGelu.parts(List.of(gelu.get(0), gelu.get(1), gelu.get(2),
                new Node("m", "Mul", List.of("z", "a"), List.of("m"), Map.of(), "")))).isEmpty();
    }

    @Test
    void dropoutWithAKnownZeroRatioKeepsNothing() {
        TensorInfo zero = TensorInfo.constant(DType.FLOAT32, Shape.of(), ConstData.ofFloats(0.0));
        TensorInfo half = TensorInfo.constant(DType.FLOAT32, Shape.of(), ConstData.ofFloats(0.5));
        assertThat(kept("Dropout", List.of(f32(2, 4), zero), List.of(f32(2, 4)))).isEqualTo(Kept.NOTHING);
        assertThat(kept("Dropout", List.of(f32(2, 4), half), List.of(f32(2, 4))).freshBytes()).isEqualTo(32);
    }

    /**
     * Swin's attention at window batch 4, 3 heads of 32, 49 tokens: qkv [4, 49, 3 x 96] viewed as [3, 4, 3, 49, 32];
     * k = qkv[1] has strides (14,112, 32, 288, 1), so k^T's batch axes do not follow each other and matmul's reshape to
     * [12, 32, 49] copies: bmm keeps the copy, 12 x 32 x 49 x 4 = 75,264 B, as torch 1.13 saves it
     * ({@code saved_tensors_hooks} on this attention: copies of 75,264 B for q, k^T and v, none of qkv). At window
     * batch 1 the same reshape is a view, and bmm keeps qkv itself.
     */
    @Test
    void aMatmulKeepsItsOwnCopyOfABatchedFactorItsReshapeCannotView() {
        SavedRule matmul = RULES.rule("MatMul").orElseThrow();
        List<Boolean> both = List.of(true, true);
        // q * scale is dense in q's memory order (batch, token, head, channel): strides (49 x 96, 32, 96, 1).
        long[] q = {49 * 96, 32, 96, 1};
        long[] kT = {49 * 288, 32, 1, 288};
        Kept scores = matmul.kept(List.of(f32(4, 3, 49, 32), f32(4, 3, 32, 49)), List.of(f32(4, 3, 49, 49)), both,
                java.util.Arrays.asList(q, kT));
        assertThat(scores.inputs()).isEmpty();
        assertThat(scores.freshBytes()).isEqualTo(2 * 75_264L);
        long[] kT1 = {49 * 288, 32, 1, 288};
        Kept one = matmul.kept(List.of(f32(1, 3, 49, 32), f32(1, 3, 32, 49)), List.of(f32(1, 3, 49, 49)), both,
                java.util.Arrays.asList(new long[] {49 * 96, 32, 96, 1}, kT1));
        assertThat(one.inputs()).containsExactly(0, 1);
        assertThat(one.freshBytes()).isZero();
        // Contiguous factors (ViT's 3-D products, any row-major batch) are reshaped as views.
        Kept contiguous = matmul.kept(List.of(f32(2, 3, 4, 5), f32(2, 3, 5, 6)), List.of(f32(2, 3, 4, 6)), both,
                java.util.Arrays.asList(new long[] {60, 20, 5, 1}, new long[] {90, 30, 6, 1}));
        assertThat(contiguous).isEqualTo(new Kept(List.of(0, 1), List.of(), 0));
        // A weight (no strides: not an activation) is never copied, and a factor only the other's gradient needs.
        Kept linear = matmul.kept(List.of(f32(2, 8, 8, 16), f32(16, 5)), List.of(f32(2, 8, 8, 5)), List.of(true, true),
                java.util.Arrays.asList(new long[] {1024, 16, 128, 1}, null));
        // [2, 8, 8, 16] permuted (0, 2, 1, 3) folds to [128, 16] only by a copy: 8,192 B, as torch saves it.
        assertThat(linear.freshBytes()).isEqualTo(8_192);
        assertThat(linear.inputs()).containsExactly(1);
    }

    /** The rank-3 exception: a factor whose last two axes are transposed goes to bmm as it is, no copy. */
    @Test
    void aTransposedRankThreeFactorTimesAMatrixIsKeptAsItIs() {
        SavedRule matmul = RULES.rule("MatMul").orElseThrow();
        Kept kept = matmul.kept(List.of(f32(2, 16, 8), f32(8, 5)), List.of(f32(2, 16, 5)), List.of(true, true),
                java.util.Arrays.asList(new long[] {128, 1, 16}, new long[] {5, 1}));
        assertThat(kept).isEqualTo(new Kept(List.of(0, 1), List.of(), 0));
    }
}
