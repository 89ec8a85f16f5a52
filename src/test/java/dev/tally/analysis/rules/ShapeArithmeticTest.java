package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape and data-movement ops: exact shapes, known values carried, cost 0. */
class ShapeArithmeticTest {
    @Test
    void shapeGivesTheDimsAsKnownValuesWithOptionalStartAndEnd() {
        assertThat(Op.of("Shape").input(1, 3, 224, 224).longs()).containsExactly(1, 3, 224, 224);
        assertThat(Op.of("Shape").input(1, 3, 224, 224).attr("start", -2).longs()).containsExactly(224, 224);
        assertThat(Op.of("Shape").input(1, 3, 224, 224).attr("start", 1).attr("end", 2).longs()).containsExactly(3);
        assertThat(Op.of("Size").input(2, 3, 4).longs()).containsExactly(24);
        assertThat(Op.of("Shape").input(2, 3).ops()).isZero();
    }

    @Test
    void gatherPicksAlongAnAxisWithNegativeIndices() {
        Op scalarIndex = Op.of("Gather").ints(1, 3, 224, 224).scalar(-1);
        assertThat(scalarIndex.shape()).isEqualTo(Shape.scalar());
        assertThat(scalarIndex.longs()).containsExactly(224);
        assertThat(Op.of("Gather").ints(5, 6, 7).ints(2, 0).longs()).containsExactly(7, 5);
        TensorInfo matrix = TensorInfo.constant(DType.INT64, Shape.of(2, 3), ConstData.ofInts(1, 2, 3, 4, 5, 6));
        Op columns = Op.of("Gather").input(matrix).ints(2, 0).attr("axis", 1);
        assertThat(columns.shape()).isEqualTo(dims(2, 2));
        assertThat(columns.longs()).containsExactly(3, 1, 6, 4);
        assertThat(Op.of("Gather").input(10, 768).input(TensorInfo.of(DType.INT64, Shape.of(1, 197))).shape())
                .isEqualTo(dims(1, 197, 768));
    }

    @Test
    void unsqueezeAndSqueezeTakeAxesFromAnInputOrAnOlderAttribute() {
        assertThat(Op.of("Unsqueeze").scalar(7).ints(0).longs()).containsExactly(7);
        assertThat(Op.of("Unsqueeze").scalar(7).ints(0).shape()).isEqualTo(dims(1));
        assertThat(Op.of("Unsqueeze").input(3, 4).ints(0, -1).shape()).isEqualTo(dims(1, 3, 4, 1));
        assertThat(Op.of("Unsqueeze").input(3, 4).attrs("axes", 1).shape()).as("opset 11 attribute").isEqualTo(dims(3, 1, 4));
        assertThat(Op.of("Unsqueeze").input(3, 4).ints(2).attrs("axes", 0).shape()).as("the input wins").isEqualTo(dims(3, 4, 1));
        assertThat(Op.of("Squeeze").input(1, 3, 1, 4).shape()).isEqualTo(dims(3, 4));
        assertThat(Op.of("Squeeze").input(1, 3, 1, 4).ints(-2).shape()).isEqualTo(dims(1, 3, 4));
        assertThat(Op.of("Squeeze").input(1, 3, 1, 4).attrs("axes", 0).shape()).isEqualTo(dims(3, 1, 4));
        assertThatThrownBy(() -> Op.of("Squeeze").input(1, 3).ints(1).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Squeeze): axis 1 has size 3 in 1x3, expected 1 to squeeze it.");
    }

    @Test
    void concatJoinsShapesAndValues() {
        assertThat(Op.of("Concat").ints(1).ints(-1).ints(7, 7).attr("axis", 0).longs()).containsExactly(1, -1, 7, 7);
        assertThat(Op.of("Concat").input(1, 64, 28, 28).input(1, 32, 28, 28).attr("axis", 1).shape()).isEqualTo(dims(1, 96, 28, 28));
        TensorInfo a = TensorInfo.constant(DType.INT64, Shape.of(2, 1), ConstData.ofInts(1, 2));
        TensorInfo b = TensorInfo.constant(DType.INT64, Shape.of(2, 2), ConstData.ofInts(3, 4, 5, 6));
        assertThat(Op.of("Concat").input(a).input(b).attr("axis", -1).longs()).containsExactly(1, 3, 4, 2, 5, 6);
        assertThatThrownBy(() -> Op.of("Concat").input(1, 2, 3).input(1, 3, 3).attr("axis", 2).shape())
                .isInstanceOf(ModelException.class).hasMessageContaining("input 1 has shape 1x3x3");
    }

    @Test
    void concatSkipsAOneDimensionalEmptyInputBesideInputsOfAnotherRankAsPyTorchsCatDoes() {
        // torch.cat([torch.empty(0), x, x]) for x of 2x1x4 is 4x1x4 (Emformer's empty memory bank).
        assertThat(Op.of("Concat").input(0).input(2, 1, 4).input(2, 1, 4).attr("axis", 0).shape()).isEqualTo(dims(4, 1, 4));
        assertThat(Op.of("Concat").input(0).input(0).attr("axis", 0).shape()).as("only empty ones").isEqualTo(dims(0));
        assertThatThrownBy(() -> Op.of("Concat").input(1).input(2, 1, 4).attr("axis", 0).shape())
                .as("a 1-D tensor with elements is not skipped").isInstanceOf(ModelException.class).hasMessageContaining("input 1 has shape 2x1x4");
    }

    @Test
    void knownFloat32ValuesAreComputedInFloat32AsPyTorchDoes() {
        // The R-CNN transform's scale: torch.tensor(151.).reciprocal() * 200. is 1.3245033025741577 in PyTorch (float32
        // throughout: the Python number is rounded to float, the product rounded once); in float64 it would be 1.3245033112582782.
        TensorInfo side = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(151));
        TensorInfo reciprocal = Op.of("Reciprocal").input(side).output();
        TensorInfo number = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(200.0));
        assertThat(Op.of("Mul").input(reciprocal).input(number).doubles()).containsExactly(1.3245033025741577);
        TensorInfo other = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(152));
        TensorInfo maxSize = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(333.0));
        assertThat(Op.of("Mul").input(Op.of("Reciprocal").input(other).output()).input(maxSize).doubles()).containsExactly(2.1907894611358643);
        // torch.round rounds half to even: [0.5, 1.5, 2.5, -2.5] -> [0, 2, 2, -2]; torch.log2(0.25) is -2 (log / log 2 here).
        TensorInfo halves = TensorInfo.constant(DType.FLOAT32, Shape.of(4), ConstData.ofFloats(0.5, 1.5, 2.5, -2.5));
        assertThat(Op.of("Round").input(halves).doubles()).containsExactly(0, 2, 2, -2);
        TensorInfo quarter = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(0.25));
        TensorInfo ln2 = TensorInfo.constant(DType.FLOAT32, Shape.scalar(), ConstData.ofFloats(Math.log(2)));
        assertThat(Op.of("Div").input(Op.of("Log").input(quarter).output()).input(ln2).doubles()).containsExactly(-2.0);
    }

    @Test
    void fillKeepsItsInputsShapeAndTypeWithTheValueAndCostsNothing() {
        // x.fill_(3) of a 2x2 int64 tensor: [[3, 3], [3, 3]], int64; a float tensor filled from a 0-d tensor of unknown value.
        TensorInfo ints = TensorInfo.of(DType.INT64, Shape.of(2, 2));
        assertThat(Op.of("Fill").input(ints).scalar(3).longs()).containsExactly(3, 3, 3, 3);
        assertThat(Op.of("Fill").input(ints).scalar(3).output().dtype()).isEqualTo(DType.INT64);
        assertThat(Op.of("Fill").input(56, 56).input(TensorInfo.of(DType.FLOAT32, Shape.scalar())).shape()).isEqualTo(dims(56, 56));
        assertThat(Op.of("Fill").input(56, 56).scalar(0).ops()).isZero();
        assertThatThrownBy(() -> Op.of("Fill").input(2, 2).input(2).shape()).isInstanceOf(ModelException.class)
                .hasMessageContaining("input 'value' has 2 elements, expected one");
    }

    @Test
    void im2colGivesOneColumnPerWindowPositionAndCostsNothing() {
        // F.unfold(x, 3, padding=1) of 1x5x6x6: 5 * 3 * 3 = 45 rows, 6 * 6 = 36 positions (PyTorch: 1x45x36).
        assertThat(Op.of("Im2Col").input(1, 5, 6, 6).attrs("kernel_shape", 3, 3).attrs("pads", 1, 1, 1, 1).shape())
                .isEqualTo(dims(1, 45, 36));
        // kernel 2x3, stride 2, dilation 1x2, no padding, unbatched 4x7x9: rows (7 - 2) / 2 + 1 = 3, columns
        // (9 - 2 * 2 - 1) / 2 + 1 = 3 positions each way: 24 x 9 (PyTorch: F.unfold(torch.zeros(4, 7, 9), (2, 3), (1, 2), 0, 2)).
        Op unbatched = Op.of("Im2Col").input(4, 7, 9).attrs("kernel_shape", 2, 3).attrs("dilations", 1, 2).attrs("strides", 2, 2);
        assertThat(unbatched.shape()).isEqualTo(dims(24, 9));
        assertThat(unbatched.ops()).isZero();
        assertThat(unbatched.macs()).isZero();
    }

    @Test
    void sliceClampsBoundsAndSupportsNegativeSteps() {
        assertThat(Op.of("Slice").ints(1, 3, 224, 224).ints(2).ints(Long.MAX_VALUE).ints(0).longs()).containsExactly(224, 224);
        assertThat(Op.of("Slice").ints(0, 1, 2, 3, 4, 5).ints(-1).ints(Long.MIN_VALUE).ints(0).ints(-2).longs())
                .as("x[::-2] from the end").containsExactly(5, 3, 1);
        assertThat(Op.of("Slice").input(1, 197, 768).ints(0).ints(1).ints(1).shape()).isEqualTo(dims(1, 1, 768));
        assertThat(Op.of("Slice").input(4, 10).ints(1, 2).ints(3, 9).ints(0, 1).ints(1, 3).shape()).isEqualTo(dims(2, 3));
        // opset 1 form: bounds as attributes
        assertThat(Op.of("Slice").input(4, 10).attrs("starts", 0).attrs("ends", 2).attrs("axes", 1).shape()).isEqualTo(dims(4, 2));
    }

    @Test
    void castConvertsValuesAndType() {
        TensorInfo cast = Op.of("Cast").input(TensorInfo.constant(DType.FLOAT32, Shape.of(2), ConstData.ofFloats(2.9, -2.9)))
                .attr("to", 7).output();
        assertThat(cast.dtype()).isEqualTo(DType.INT64);
        assertThat(cast.data()).contains(ConstData.ofInts(2, -2));
        assertThat(Op.of("Cast").ints(3).attr("to", 1).output().data()).contains(ConstData.ofFloats(3.0));
        assertThat(Op.of("Cast").ints(0, 5).attr("to", 9).longs()).containsExactly(0, 1);
    }

    /** ONNX's TensorProto.DataType numbers (onnx.proto: FLOAT = 1 ... BFLOAT16 = 16; STRING = 8 has no width). */
    @Test
    void onnxTypeCodesAreTheSpecsAndAnyOtherNumberIsRefusedNamingItsAttribute() {
        long[] codes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        DType[] types = {DType.FLOAT32, DType.UINT8, DType.INT8, DType.UINT16, DType.INT16, DType.INT32, DType.INT64,
            DType.OTHER, DType.BOOL, DType.FLOAT16, DType.FLOAT64, DType.UINT32, DType.UINT64, DType.COMPLEX64,
            DType.COMPLEX128, DType.BFLOAT16};
        for (int i = 0; i < codes.length; i++) {
            assertThat(DType.ofOnnxCode(codes[i])).as("code %d", codes[i]).isEqualTo(types[i]);
        }
        // 0 is UNDEFINED; 2^32 + 1 once wrapped to 1 (float32) through an int cast.
        for (long code : new long[] {0, 17, -1, (1L << 32) + 1}) {
            assertThat(DType.ofOnnxCode(code)).as("code %d", code).isNull();
        }
        assertThatThrownBy(() -> Op.of("Cast").input(2).attr("to", (1L << 32) + 1).output()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Cast): attribute 'to' is 4294967297, not an ONNX data type code (1 to 16).");
        assertThatThrownBy(() -> Op.of("EyeLike").input(2, 2).attr("dtype", 99).output()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (EyeLike): attribute 'dtype' is 99, not an ONNX data type code (1 to 16).");
    }

    @Test
    void reshapeCopiesZerosAndInfersMinusOne() {
        assertThat(Op.of("Reshape").input(2, 3, 4).ints(0, -1).shape()).isEqualTo(dims(2, 12));
        assertThat(Op.of("Reshape").input(2, 3, 4).ints(-1).shape()).isEqualTo(dims(24));
        assertThat(Op.of("Reshape").input(2, 3, 4).ints(4, 0, 2).shape()).isEqualTo(dims(4, 3, 2));
        assertThat(Op.of("Reshape").ints(1, 2, 3, 4).ints(2, 2).longs()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> Op.of("Reshape").input(2, 3, 4).ints(5, -1).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Reshape): input 'data' (2x3x4, 24 elements) cannot be reshaped to [5, -1].");
        assertThatThrownBy(() -> Op.of("Reshape").input(2, 3).ints(-1, -1).shape()).isInstanceOf(ModelException.class)
                .hasMessageContaining("holds -1 twice");
    }

    @Test
    void reshapeNeedsItsTargetToBeKnown() {
        assertThatThrownBy(() -> Op.of("Reshape").input(2, 3).input(TensorInfo.of(DType.INT64, Shape.of(2))).shape())
                .isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Reshape): input 'shape' ('in1') must be computable from constants and"
                        + " input shapes, but its values are not known.");
    }

    @Test
    void flattenTransposeExpandAndTileFollowTheirSpecs() {
        assertThat(Op.of("Flatten").input(1, 256, 6, 6).shape()).isEqualTo(dims(1, 9216));
        assertThat(Op.of("Flatten").input(2, 3, 4).attr("axis", 0).shape()).isEqualTo(dims(1, 24));
        assertThat(Op.of("Flatten").input(2, 3, 4).attr("axis", -1).shape()).isEqualTo(dims(6, 4));
        assertThat(Op.of("Transpose").input(1, 197, 12, 64).attrs("perm", 0, 2, 1, 3).shape()).isEqualTo(dims(1, 12, 197, 64));
        assertThat(Op.of("Transpose").input(2, 3, 4).shape()).isEqualTo(dims(4, 3, 2));
        TensorInfo matrix = TensorInfo.constant(DType.INT64, Shape.of(2, 3), ConstData.ofInts(1, 2, 3, 4, 5, 6));
        assertThat(Op.of("Transpose").input(matrix).longs()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(Op.of("Expand").input(1, 1, 768).ints(1, 1, -1 + 1 + 768).shape()).isEqualTo(dims(1, 1, 768));
        assertThat(Op.of("Expand").input(3, 1).ints(2, 1, 6).shape()).isEqualTo(dims(2, 3, 6));
        assertThat(Op.of("Expand").ints(7).ints(3).longs()).containsExactly(7, 7, 7);
        assertThat(Op.of("Tile").ints(1, 2).ints(3).longs()).containsExactly(1, 2, 1, 2, 1, 2);
        assertThat(Op.of("Tile").input(2, 3).ints(2, 2).shape()).isEqualTo(dims(4, 6));
        // A 2-D repeats (torch.onnx's tensor_split without its shape inference: Unsqueeze of a 1-D count) is no Tile.
        TensorInfo column = TensorInfo.constant(DType.INT64, Shape.of(1, 1), ConstData.ofInts(1));
        assertThatThrownBy(() -> Op.of("Tile").ints(7).input(column).shape()).isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (Tile): input 'repeats' has shape 1x1, expected a 1-D list of 1 counts.");
    }

    @Test
    void constantsRangesAndConstantOfShapeHaveKnownValues() {
        ConstTensor one = new ConstTensor(DType.INT64, Shape.of(1), ConstData.ofInts(1));
        Op filled = Op.of("ConstantOfShape").ints(2, 3).attr("value", one);
        assertThat(filled.shape()).isEqualTo(dims(2, 3));
        assertThat(filled.longs()).containsExactly(1, 1, 1, 1, 1, 1);
        assertThat(Op.of("ConstantOfShape").ints(2).output().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(Op.of("Range").scalar(0).scalar(7).scalar(3).longs()).containsExactly(0, 3, 6);
        assertThat(Op.of("Range").scalar(5).scalar(0).scalar(-2).longs()).containsExactly(5, 3, 1);
        assertThat(Op.of("Constant").attrs("value_ints", 4, 5).longs()).containsExactly(4, 5);
        assertThat(Op.of("Constant").attr("value", new ConstTensor(DType.INT64, Shape.scalar(), ConstData.ofInts(9))).longs())
                .containsExactly(9);
    }

    @Test
    void splitGivesEqualPartsOrTheGivenSizes() {
        List<TensorInfo> halves = Op.of("Split").input(1, 116, 28, 28).attr("axis", 1).outputs(2).infer();
        assertThat(halves).extracting(TensorInfo::shape).containsExactly(dims(1, 58, 28, 28), dims(1, 58, 28, 28));
        List<TensorInfo> sized = Op.of("Split").input(6, 4).ints(1, 2, 3).outputs(3).infer();
        assertThat(sized).extracting(TensorInfo::shape).containsExactly(dims(1, 4), dims(2, 4), dims(3, 4));
        List<TensorInfo> opset11 = Op.of("Split").input(6, 4).attrs("split", 2, 4).outputs(2).infer();
        assertThat(opset11).extracting(TensorInfo::shape).containsExactly(dims(2, 4), dims(4, 4));
        // torch.chunk(ones(5), 3) sizes (2, 2, 1): ONNX opset 18 num_outputs does the same.
        List<TensorInfo> chunks = Op.of("Split").input(5).attr("num_outputs", 3).outputs(3).infer();
        assertThat(chunks).extracting(TensorInfo::shape).containsExactly(dims(2), dims(2), dims(1));
        List<TensorInfo> values = Op.of("Split").ints(1, 2, 3, 4).outputs(2).infer();
        assertThat(values.get(1).data()).contains(ConstData.ofInts(3, 4));
    }

    @Test
    void padGrowsEachAxisByItsBeginAndEnd() {
        assertThat(Op.of("Pad").input(1, 3, 7, 7).ints(0, 0, 1, 2, 0, 0, 3, 4).shape()).isEqualTo(dims(1, 3, 11, 13));
        assertThat(Op.of("Pad").input(1, 3, 7, 7).attrs("pads", 0, 0, 1, 1, 0, 0, 1, 1).shape()).isEqualTo(dims(1, 3, 9, 9));
        assertThat(Op.of("Pad").input(1, 3, 7, 7).ints(0, 0, 1, 1, 0, 0, 1, 1).ops()).isZero();
    }

    @Test
    void resizeBySizesOrScalesAndCostsOnlyInterpolation() {
        Op nearest = Op.of("Resize").input(1, 3, 8, 8).omitted().input(TensorInfo.constant(DType.FLOAT32, Shape.of(4),
                ConstData.ofFloats(1, 1, 2, 2)));
        assertThat(nearest.shape()).isEqualTo(dims(1, 3, 16, 16));
        assertThat(nearest.ops()).isZero();
        Op linear = Op.of("Resize").input(1, 3, 8, 8).omitted().omitted().ints(1, 3, 16, 16).attr("mode", "linear");
        // Two resized axes with 2 taps: (2^2 - 1) = 3 one-dimensional interpolations of 3 ops per output.
        assertThat(linear.ops()).isEqualTo(3L * 16 * 16 * 3 * 3);
        Op upsample = Op.of("Upsample").input(1, 3, 8, 8).input(TensorInfo.constant(DType.FLOAT32, Shape.of(4),
                ConstData.ofFloats(1, 1, 2, 3)));
        assertThat(upsample.shape()).isEqualTo(dims(1, 3, 16, 24));
    }

    @Test
    void scatterNdWritesKnownSlices() {
        Op scatter = Op.of("ScatterND").ints(0, 0, 0, 0).input(TensorInfo.constant(DType.INT64, Shape.of(2, 1),
                ConstData.ofInts(3, 1))).ints(9, 8);
        assertThat(scatter.longs()).containsExactly(0, 8, 0, 9);
    }

    @Test
    void dropoutPassesItsInputAndIdentityIsIgnoredOnPurpose() {
        List<TensorInfo> dropout = Op.of("Dropout").ints(4, 5).outputs(2).infer();
        assertThat(dropout.get(0).data()).contains(ConstData.ofInts(4, 5));
        assertThat(dropout.get(1).dtype()).isEqualTo(DType.BOOL);
        assertThat(Rules.standard().isIgnored("Identity")).isTrue();
        assertThat(Op.of("Identity").ints(3).longs()).containsExactly(3);
    }

    @Test
    void topKArgMaxCumSumAndTriluShapes() {
        List<TensorInfo> topK = Op.of("TopK").input(2, 1000).ints(5).outputs(2).infer();
        assertThat(topK).extracting(TensorInfo::shape).containsExactly(dims(2, 5), dims(2, 5));
        assertThat(topK.get(1).dtype()).isEqualTo(DType.INT64);
        // 5 successive maxima of 1000: 999 + 998 + 997 + 996 + 995 = 4985 comparisons per row.
        assertThat(Op.of("TopK").input(2, 1000).ints(5).outputs(2).ops()).isEqualTo(2L * 4985);
        Op argMax = Op.of("ArgMax").input(2, 1000).attr("axis", 1).attr("keepdims", 0);
        assertThat(argMax.shape()).isEqualTo(dims(2));
        assertThat(argMax.ops()).isEqualTo(2L * 999);
        assertThat(Op.of("CumSum").ints(1, 2, 3).scalar(0).longs()).containsExactly(1, 3, 6);
        assertThat(Op.of("CumSum").ints(1, 2, 3).scalar(0).attr("exclusive", 1).attr("reverse", 1).longs()).containsExactly(5, 3, 0);
        assertThat(Op.of("CumSum").input(4, 6).scalar(1).ops()).isEqualTo(4L * 5);
        assertThat(Op.of("Trilu").input(3, 5, 5).shape()).isEqualTo(dims(3, 5, 5));
    }
}
