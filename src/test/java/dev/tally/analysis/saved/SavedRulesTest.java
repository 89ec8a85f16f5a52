package dev.tally.analysis.saved;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;
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
}
