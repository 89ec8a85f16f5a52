package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONNX's QuantizeLinear and DequantizeLinear, GridSample and the sequence ops, with numbers worked out by hand
 * (docs/conventions.md). The zoo models they were added for are checked against PyTorch in ZooOnnxFiguresTest.
 */
class OnnxQuantizedAndSequenceRulesTest {
    private static TensorInfo scalar(DType dtype, double value) {
        return TensorInfo.constant(dtype, Shape.scalar(), dtype.isFloatingPoint() ? ConstData.ofFloats(value) : ConstData.ofInts((long) value));
    }

    private static TensorInfo tensor(DType dtype, long... dims) {
        return TensorInfo.of(dtype, Shape.of(dims));
    }

    @Test
    void quantizeLinearTakesTheZeroPointsTypeAndDequantizeLinearTheScales() {
        // torch.onnx's quantize stub: QuantizeLinear(input, scale, uint8 zero point), then DequantizeLinear back.
        Op quantize = Op.of("QuantizeLinear").input(1, 3, 4, 4).input(scalar(DType.FLOAT32, 0.02)).input(scalar(DType.UINT8, 128));
        Op signed = Op.of("QuantizeLinear").input(1, 3, 4, 4).input(scalar(DType.FLOAT32, 0.02)).input(scalar(DType.INT8, 0));
        Op noZeroPoint = Op.of("QuantizeLinear").input(2, 5).input(scalar(DType.FLOAT32, 0.02));
        Op dequantize = Op.of("DequantizeLinear").input(tensor(DType.INT8, 64, 3, 7, 7)).input(scalar(DType.FLOAT32, 0.01))
                .input(scalar(DType.INT8, 0));

        assertThat(quantize.output().dtype()).isEqualTo(DType.UINT8);
        assertThat(quantize.shape()).isEqualTo(dims(1, 3, 4, 4));
        assertThat(signed.output().dtype()).isEqualTo(DType.INT8);
        assertThat(noZeroPoint.output().dtype()).as("the spec's default").isEqualTo(DType.UINT8);
        assertThat(dequantize.output().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(dequantize.shape()).isEqualTo(dims(64, 3, 7, 7));
        // One op per element, as quantize_per_tensor and dequantize; no MACs.
        assertThat(quantize.ops()).isEqualTo(48);
        assertThat(dequantize.ops()).isEqualTo(64L * 3 * 49);
        assertThat(quantize.macs() + dequantize.macs()).isZero();
    }

    @Test
    void gridSampleTakesTheGridsSizeAndCountsResizesInterpolation() {
        // RAFT's correlation lookup: a 1 x 1 x 16 x 16 volume sampled at a 1 x 16 x 16 x 2 grid.
        Op bilinear = Op.of("GridSample").input(1, 1, 16, 16).input(1, 16, 16, 2).attr("mode", "bilinear");
        Op nearest = Op.of("GridSample").input(2, 3, 8, 8).input(2, 5, 7, 2).attr("mode", "nearest");
        Op bicubic = Op.of("GridSample").input(1, 2, 8, 8).input(1, 4, 4, 2).attr("mode", "bicubic");
        Op volume = Op.of("GridSample").input(1, 2, 4, 8, 8).input(1, 2, 3, 3, 3).attr("mode", "linear");

        assertThat(bilinear.shape()).isEqualTo(dims(1, 1, 16, 16));
        // Bilinear: 3 one-dimensional interpolations of 2 taps (2 multiplies, 1 add) = 9 ops per output.
        assertThat(bilinear.ops()).isEqualTo(256L * 9);
        assertThat(bilinear.macs()).as("the aten counter counts no MACs for grid_sampler").isZero();
        assertThat(nearest.shape()).isEqualTo(dims(2, 3, 5, 7));
        assertThat(nearest.ops()).isZero();
        // Bicubic: 1 + 4 interpolations of 4 taps (4 multiplies, 3 adds) = 35 per output.
        assertThat(bicubic.ops()).isEqualTo(2L * 16 * 35);
        // Trilinear (opset 20's 5-D form): 1 + 2 + 4 interpolations of 3 ops = 21 per output.
        assertThat(volume.shape()).isEqualTo(dims(1, 2, 2, 3, 3));
        assertThat(volume.ops()).isEqualTo(2L * 18 * 21);
        assertThatThrownBy(() -> Op.of("GridSample").input(1, 1, 16, 16).input(1, 16, 16, 3).infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("input 'grid' has shape 1x16x16x3");
    }

    @Test
    void aSequenceKeepsItsTensorsAndTheirOrder() {
        TensorInfo empty = Op.of("SequenceEmpty").attr("dtype", 1).output();
        assertThat(empty.isSequence()).isTrue();
        assertThat(empty.elements().get()).isEmpty();
        assertThat(empty.bytes()).as("a sequence holds no bytes of its own").isZero();

        TensorInfo one = Op.of("SequenceInsert").input(empty).input(2, 3).output();
        TensorInfo two = Op.of("SequenceInsert").input(one).input(5, 3).output();
        TensorInfo front = Op.of("SequenceInsert").input(two).input(7, 3).scalar(0).output();

        assertThat(front.elements().get()).extracting(TensorInfo::shape).containsExactly(dims(7, 3), dims(2, 3), dims(5, 3));
        assertThat(Op.of("SequenceAt").input(front).scalar(-1).shape()).isEqualTo(dims(5, 3));
        assertThat(Op.of("SequenceAt").input(front).scalar(1).shape()).isEqualTo(dims(2, 3));
        assertThat(Op.of("SequenceLength").input(front).longs()).containsExactly(3);
        assertThat(Op.of("SequenceErase").input(front).output().elements().get()).extracting(TensorInfo::shape)
                .containsExactly(dims(7, 3), dims(2, 3));
        assertThat(Op.of("ConcatFromSequence").input(front).attr("axis", 0).shape()).isEqualTo(dims(14, 3));
        assertThatThrownBy(() -> Op.of("SequenceAt").input(front).scalar(3).infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("outside [-3, 2]");
        assertThatThrownBy(() -> Op.of("ConcatFromSequence").input(front).attr("axis", 0).attr("new_axis", 1).infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("does not match");
    }

    @Test
    void splitToSequenceCutsAsTheSpecSaysAndConcatFromSequenceStacks() {
        TensorInfo ones = Op.of("SplitToSequence").input(4, 6).attr("axis", 1).attr("keepdims", 0).output();
        TensorInfo byTwo = Op.of("SplitToSequence").input(4, 7).scalar(3).attr("axis", 1).output();
        TensorInfo sized = Op.of("SplitToSequence").input(4, 7).ints(1, 6).attr("axis", 1).output();

        assertThat(ones.elements().get()).hasSize(6).allMatch(t -> t.shape().equals(dims(4)));
        assertThat(byTwo.elements().get()).extracting(TensorInfo::shape).containsExactly(dims(4, 3), dims(4, 3), dims(4, 1));
        assertThat(sized.elements().get()).extracting(TensorInfo::shape).containsExactly(dims(4, 1), dims(4, 6));
        assertThat(Op.of("ConcatFromSequence").input(ones).attr("axis", 1).attr("new_axis", 1).shape()).isEqualTo(dims(4, 6));
        assertThat(Op.of("ConcatFromSequence").input(ones).attr("axis", -1).attr("new_axis", 1).shape()).isEqualTo(dims(4, 6));
        assertThat(Op.of("SplitToSequence").input(4, 7).ints(2, 5).attr("axis", 1).ops()).isZero();
        assertThatThrownBy(() -> Op.of("SplitToSequence").input(4, 7).ints(2, 6).attr("axis", 1).infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("adds up to 8");
        assertThat(List.of(ones, byTwo, sized)).allMatch(TensorInfo::isSequence);
        // A hostile file's sizes do not decide how many tensors are made.
        assertThatThrownBy(() -> Op.of("SplitToSequence").input(4, 1L << 40).attr("axis", 1).infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("more than the 65536 Tally keeps");
    }

    @Test
    void knownValuesAreCutIntoTheSequenceSoALoopCanReadThemAsSizes() {
        // torch.onnx's repeat_interleave: the repeat counts split into a sequence, one read per Loop iteration.
        TensorInfo counts = Op.of("SplitToSequence").ints(3, 1, 4, 1, 5).scalar(2).output();
        TensorInfo rows = Op.of("SplitToSequence").input(TensorInfo.constant(DType.INT64, Shape.of(2, 3),
                ConstData.ofInts(1, 2, 3, 4, 5, 6))).ints(1, 2).attr("axis", 1).output();

        assertThat(Op.of("SequenceAt").input(counts).scalar(0).longs()).containsExactly(3, 1);
        assertThat(Op.of("SequenceAt").input(counts).scalar(2).longs()).containsExactly(5);
        assertThat(Op.of("SequenceAt").input(rows).scalar(0).longs()).containsExactly(1, 4);
        assertThat(Op.of("SequenceAt").input(rows).scalar(1).longs()).containsExactly(2, 3, 5, 6);
    }
}
