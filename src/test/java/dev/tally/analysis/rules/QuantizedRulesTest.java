package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import org.junit.jupiter.api.Test;

/** The quantized ops count what the float ops count; their outputs keep the quantized type (docs/conventions.md). */
class QuantizedRulesTest {
    private static TensorInfo quint8(long... dims) {
        return TensorInfo.of(DType.QUINT8, Shape.of(dims));
    }

    private static TensorInfo qint8(long... dims) {
        return TensorInfo.of(DType.QINT8, Shape.of(dims));
    }

    @Test
    void aQuantizedConvHasTheFloatConvsShapeAndMacsAndKeepsQuint8() {
        // resnet18's conv1: 3 -> 64, 7x7, stride 2, pad 3 at 224: 64x112x112 outputs of 3*49 MACs each.
        Op conv = Op.of("QuantizedConv").input(quint8(1, 3, 224, 224)).input(qint8(64, 3, 7, 7)).input(64)
                .attrs("strides", 2, 2).attrs("pads", 3, 3, 3, 3).attr("relu", 0);
        Op floatConv = Op.of("Conv").input(1, 3, 224, 224).input(64, 3, 7, 7).input(64).attrs("strides", 2, 2).attrs("pads", 3, 3, 3, 3);

        assertThat(conv.shape()).isEqualTo(dims(1, 64, 112, 112));
        assertThat(conv.output().dtype()).isEqualTo(DType.QUINT8);
        assertThat(conv.macs()).isEqualTo(64L * 112 * 112 * 3 * 49).isEqualTo(118_013_952L).isEqualTo(floatConv.macs());
        assertThat(conv.ops()).isEqualTo(floatConv.ops());
    }

    @Test
    void aFusedReluAddsTheClampsTwoOpsPerOutputAndNoMacs() {
        Op plain = Op.of("QuantizedConv").input(quint8(1, 8, 10, 10)).input(qint8(16, 8, 3, 3)).input(16).attr("relu", 0);
        Op fused = Op.of("QuantizedConv").input(quint8(1, 8, 10, 10)).input(qint8(16, 8, 3, 3)).input(16).attr("relu", 1);

        // 16x8x8 outputs: 72 MACs and a bias add each; the ReLU a comparison and an assignment each.
        assertThat(fused.macs()).isEqualTo(plain.macs()).isEqualTo(16L * 8 * 8 * 72);
        assertThat(plain.ops()).isEqualTo(16L * 8 * 8 * 73);
        assertThat(fused.ops()).isEqualTo(plain.ops() + 2L * 16 * 8 * 8);
    }

    @Test
    void aQuantizedLinearCountsInTimesOutMacs() {
        Op linear = Op.of("QuantizedLinear").input(quint8(1, 512)).input(qint8(1000, 512)).input(1000).attr("relu", 0);

        assertThat(linear.shape()).isEqualTo(dims(1, 1000));
        assertThat(linear.output().dtype()).isEqualTo(DType.QUINT8);
        assertThat(linear.macs()).isEqualTo(512_000L);
        assertThat(linear.ops()).isEqualTo(1000L * 513);
    }

    @Test
    void quantizedAddAndMulAreOneOpPerElementAndAddReluThree() {
        Op add = Op.of("QuantizedAdd").input(quint8(1, 64, 56, 56)).input(quint8(1, 64, 56, 56)).attr("relu", 0);
        Op addRelu = Op.of("QuantizedAdd").input(quint8(1, 64, 56, 56)).input(quint8(1, 64, 56, 56)).attr("relu", 1);
        Op mul = Op.of("QuantizedMul").input(quint8(1, 960, 7, 7)).input(quint8(1, 960, 1, 1)).attr("relu", 0);

        assertThat(add.ops()).isEqualTo(64L * 56 * 56);
        assertThat(addRelu.ops()).isEqualTo(3L * 64 * 56 * 56);
        assertThat(mul.shape()).as("broadcast, as the SE block's scale").isEqualTo(dims(1, 960, 7, 7));
        assertThat(mul.ops()).isEqualTo(960L * 49);
        assertThat(add.macs() + mul.macs()).isZero();
    }

    @Test
    void quantizeGivesTheNamedTypeAndDequantizeFloat32() {
        Op quantize = Op.of("QuantizePerTensor").input(1, 3, 4, 4).attr("dtype", "quint8");
        Op dequantize = Op.of("Dequantize").input(quint8(1, 1000));

        assertThat(quantize.output().dtype()).isEqualTo(DType.QUINT8);
        assertThat(quantize.output().bytes()).isEqualTo(48);
        assertThat(quantize.ops()).isEqualTo(48);
        assertThat(dequantize.output().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(dequantize.output().bytes()).isEqualTo(4000);
        assertThatThrownBy(() -> Op.of("QuantizePerTensor").input(1, 3).attr("dtype", "float16").infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("not a quantized type");
    }
}
