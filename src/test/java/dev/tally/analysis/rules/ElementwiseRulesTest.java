package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElementwiseRulesTest {
    @Test
    void binaryOpsBroadcastAsNumpy() {
        Op add = Op.of("Add").input(8, 1, 6, 1).input(7, 1, 5);
        assertThat(add.shape()).isEqualTo(dims(8, 7, 6, 5));
        assertThat(add.ops()).isEqualTo(8L * 7 * 6 * 5);
        assertThat(add.macs()).isZero();
        assertThat(Op.of("Mul").input(1, 3, 224, 224).input(3, 1, 1).shape()).isEqualTo(dims(1, 3, 224, 224));
        assertThat(Op.of("Div").input(2, 3).input().shape()).isEqualTo(dims(2, 3));
    }

    @Test
    void shapesThatDoNotBroadcastAreAnErrorNamingBoth() {
        assertThatThrownBy(() -> Op.of("Add").input(2, 3).input(4, 3).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Add): inputs of shapes 2x3 and 4x3 do not broadcast (axis -2 has sizes 2 and 4).");
    }

    @Test
    void integerArithmeticOnKnownValuesIsExact() {
        assertThat(Op.of("Add").ints(1, 2, 3).ints(10).longs()).containsExactly(11, 12, 13);
        assertThat(Op.of("Sub").ints(7, 7).ints(2, 9).longs()).containsExactly(5, -2);
        assertThat(Op.of("Mul").ints(3, 4).scalar(5).longs()).containsExactly(15, 20);
        assertThat(Op.of("Div").ints(7, -7).ints(2).longs()).as("truncated, as ONNX Runtime").containsExactly(3, -3);
        assertThat(Op.of("Mod").ints(7, -7).ints(3).longs()).as("the divisor's sign").containsExactly(1, 2);
        assertThat(Op.of("Max").ints(1, 9).ints(5, 5).ints(3, 3).longs()).containsExactly(5, 9);
        assertThat(Op.of("Min").ints(1, 9).ints(5, 5).longs()).containsExactly(1, 5);
    }

    @Test
    void comparisonsGiveBoolsAndWhereSelects() {
        TensorInfo equal = Op.of("Equal").ints(1, -1, 3).scalar(-1).output();
        assertThat(equal.dtype()).isEqualTo(DType.BOOL);
        assertThat(equal.data()).contains(ConstData.ofInts(0, 1, 0));
        assertThat(Op.of("Less").ints(1, 5).scalar(3).longs()).containsExactly(1, 0);
        assertThat(Op.of("Greater").ints(1, 5).scalar(3).longs()).containsExactly(0, 1);
        assertThat(Op.of("Not").input(TensorInfo.constant(DType.BOOL, Shape.of(2), ConstData.ofInts(1, 0))).longs()).containsExactly(0, 1);
        Op where = Op.of("Where").input(TensorInfo.constant(DType.BOOL, Shape.of(3), ConstData.ofInts(0, 1, 0)))
                .ints(1, 1, 1).ints(4, 5, 6);
        assertThat(where.longs()).containsExactly(4, 1, 6);
        assertThat(Op.of("Where").input(3).input(2, 1).input(1).shape()).isEqualTo(dims(2, 3));
        assertThat(Op.of("Where").input(3).input(2, 1).input(1).ops()).isEqualTo(6);
    }

    @Test
    void variadicSumCountsOneAddPerExtraInputAndMeanOneDivideMore() {
        assertThat(Op.of("Sum").input(2, 3).input(2, 3).input(3).ops()).isEqualTo(2L * 6);
        assertThat(Op.of("Mean").input(2, 3).input(2, 3).input(3).ops()).isEqualTo(3L * 6);
        assertThat(Op.of("Mean").ints(1, 2).ints(3, 6).doubles()).containsExactly(2, 4);
    }

    @Test
    void clampsCostTwoPerElement() {
        assertThat(Op.of("Relu").input(1, 64, 56, 56).ops()).isEqualTo(401408);
        assertThat(Op.of("LeakyRelu").input(10).ops()).isEqualTo(20);
        assertThat(Op.of("PRelu").input(1, 4, 2, 2).input(4, 1, 1).ops()).isEqualTo(32);
        Op clip = Op.of("Clip").input(1, 32, 112, 112).omitted().omitted();
        assertThat(clip.ops()).isEqualTo(2L * 32 * 112 * 112);
        assertThat(Op.of("Clip").ints(-3, 2, 9).scalar(0).scalar(6).longs()).containsExactly(0, 2, 6);
        assertThat(Op.of("Relu").ints(-3, 2).longs()).containsExactly(0, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs", "Floor", "Ceil",
            "HardSigmoid", "HardSwish", "Softplus", "Elu", "Selu"})
    void otherUnaryFunctionsCostOnePerElementAndKeepTheShape(String op) {
        Op unary = Op.of(op).input(2, 3, 5);
        assertThat(unary.shape()).isEqualTo(dims(2, 3, 5));
        assertThat(unary.ops()).isEqualTo(30);
        assertThat(unary.macs()).isZero();
    }

    @Test
    void geluCountsTheElementwiseChainPyTorchExportsForIt() {
        assertThat(Op.of("Gelu").input(1, 197, 3072).ops()).isEqualTo(5L * 197 * 3072);
        assertThat(Op.of("Gelu").input(4).attr("approximate", "tanh").ops()).isEqualTo(32);
        assertThatThrownBy(() -> Op.of("Gelu").input(4).attr("approximate", "fast").shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Gelu): attribute 'approximate' is 'fast', expected 'none' or 'tanh'.");
    }

    @Test
    void mishIsSoftplusTanhAndAMultiply() {
        assertThat(Op.of("Mish").input(7).ops()).isEqualTo(21);
    }

    @Test
    void sqrtOfAnIntegerSizeIsFloating() {
        TensorInfo root = Op.of("Sqrt").ints(64).output();
        assertThat(root.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(root.data().get().doubleAt(0)).isEqualTo(8.0);
    }

    @Test
    void aNumberDoesNotDecideTheTypeOfATensorsResultAsInPyTorch() {
        // torch: (2 * torch.ones(3, dtype=torch.half)).dtype == float16; (1.5 - torch.ones(3, dtype=torch.long)).dtype == float32;
        // (torch.ones(3, dtype=torch.long) * 2).dtype == int64.
        TensorInfo two = TensorInfo.constant(DType.INT64, Shape.scalar(), ConstData.ofInts(2));
        TensorInfo oneAndHalf = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(1.5));
        TensorInfo half = TensorInfo.of(DType.FLOAT16, Shape.of(3));
        TensorInfo longs = TensorInfo.of(DType.INT64, Shape.of(3));

        assertThat(Op.of("Mul").input(two).input(half).output().dtype()).isEqualTo(DType.FLOAT16);
        assertThat(Op.of("Sub").input(oneAndHalf).input(longs).output().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(Op.of("Mul").input(longs).input(two).output().dtype()).isEqualTo(DType.INT64);
        assertThat(Op.of("Less").input(half).input(two).output().dtype()).as("comparisons give bool").isEqualTo(DType.BOOL);
    }
}
