package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import org.junit.jupiter.api.Test;

/**
 * ONNX LSTM, GRU and RNN, and the IR ops the TorchScript loader makes of aten::lstm/gru/rnn_* and the cells, with
 * numbers worked out by hand from docs/conventions.md (Recurrent ops): per step, batch row and direction
 * {@code gates * hidden * (input + hidden)} MACs; {@code hidden * (gates * (input + hidden + 2) + pointwise)} ops.
 */
class RecurrentRulesTest {
    // Sequence 5, batch 3, input 10, hidden 16.
    @Test
    void bidirectionalLstmCountsFourGatesPerStepRowAndDirection() {
        Op lstm = Op.of("LSTM").input(5, 3, 10).input(2, 64, 10).input(2, 64, 16).input(2, 128)
                .attr("hidden_size", 16).attr("direction", "bidirectional").outputs(3);
        assertThat(lstm.infer()).extracting(TensorInfo::shape).containsExactly(dims(5, 2, 3, 16), dims(2, 3, 16), dims(2, 3, 16));
        // 5 steps * 3 rows * 2 directions = 30 step-rows; 4 gates * 16 * (10 + 16) = 1,664 MACs each.
        assertThat(lstm.macs()).isEqualTo(30L * 1_664);
        // 16 units * (4 * (26 + 2) + 9) = 16 * 121 = 1,936 ops each.
        assertThat(lstm.ops()).isEqualTo(30L * 1_936);
    }

    @Test
    void layoutOnePutsTheBatchFirstAndPeepholesAddSixOpsPerUnit() {
        Op lstm = Op.of("LSTM").input(3, 5, 10).input(1, 64, 10).input(1, 64, 16).omitted().omitted().omitted().omitted()
                .input(1, 48).attr("hidden_size", 16).attr("layout", 1).outputs(3);
        assertThat(lstm.infer()).extracting(TensorInfo::shape).containsExactly(dims(3, 5, 1, 16), dims(3, 1, 16), dims(3, 1, 16));
        assertThat(lstm.macs()).isEqualTo(15L * 1_664);
        // No B: 16 * (4 * 26 + 9 + 6).
        assertThat(lstm.ops()).isEqualTo(15L * 16 * (4 * 26 + 9 + 6));
    }

    @Test
    void knownSequenceLengthsCountOnlyTheStepsEachRowRuns() {
        Op gru = Op.of("GRU").input(5, 3, 10).input(1, 48, 10).input(1, 48, 16).input(1, 96).ints(5, 2, 7)
                .attr("hidden_size", 16).attr("direction", "reverse").attr("linear_before_reset", 1).outputs(2);
        assertThat(gru.infer()).extracting(TensorInfo::shape).containsExactly(dims(5, 1, 3, 16), dims(1, 3, 16));
        // Rows run 5, 2 and min(7, 5) = 5 steps: 12 step-rows; 3 gates * 16 * 26 = 1,248 MACs each.
        assertThat(gru.macs()).isEqualTo(12L * 1_248);
        // 16 * (3 * 28 + 8) = 1,472 ops each.
        assertThat(gru.ops()).isEqualTo(12L * 1_472);
    }

    @Test
    void unknownSequenceLengthsCountTheWholeSequence() {
        Op gru = Op.of("GRU").input(5, 3, 10).input(1, 48, 10).input(1, 48, 16).input(1, 96)
                .input(TensorInfo.of(DType.INT32, Shape.of(3))).attr("hidden_size", 16).outputs(2);
        assertThat(gru.macs()).isEqualTo(15L * 1_248);
    }

    @Test
    void reluRnnCountsItsClampAsTwoOps() {
        Op tanh = Op.of("RNN").input(5, 3, 10).input(1, 16, 10).input(1, 16, 16).input(1, 32).attr("hidden_size", 16).outputs(2);
        Op relu = Op.of("RNN").input(5, 3, 10).input(1, 16, 10).input(1, 16, 16).input(1, 32).attr("hidden_size", 16)
                .attr("activations", new dev.tally.ir.Attribute.Strs(java.util.List.of("Relu"))).outputs(2);
        assertThat(tanh.macs()).isEqualTo(15L * 16 * 26);
        assertThat(tanh.ops()).isEqualTo(15L * 16 * (28 + 1));
        assertThat(relu.ops()).isEqualTo(15L * 16 * (28 + 2));
    }

    @Test
    void aWeightOfTheWrongGateCountNamesTheExpectedShape() {
        assertThatThrownBy(() -> Op.of("LSTM").input(5, 3, 10).input(1, 48, 10).input(1, 48, 16).attr("hidden_size", 16).shape())
                .isInstanceOf(ModelException.class)
                .hasMessage("test.onnx: Node 'n' (LSTM): input 'W' has shape 1x48x10, expected 1x64x10 (directions, 4 gates x hidden_size, input size).");
    }

    @Test
    void torchLstmLayersSumTheLayersWithTheSecondReadingBothDirections() {
        // nn.LSTM(10, 16, num_layers=2, bidirectional=True, batch_first=True) on 3x5x10.
        Op lstm = Op.of("LSTMLayers").input(3, 5, 10).input(4, 3, 16).input(4, 3, 16);
        for (int layer = 0; layer < 2; layer++) {
            for (int direction = 0; direction < 2; direction++) {
                lstm.input(64, layer == 0 ? 10 : 32).input(64, 16).input(64).input(64);
            }
        }
        lstm.attr("num_layers", 2).attr("bidirectional", 1).attr("batch_first", 1).attr("has_biases", 1).outputs(3);
        assertThat(lstm.infer()).extracting(TensorInfo::shape).containsExactly(dims(3, 5, 32), dims(4, 3, 16), dims(4, 3, 16));
        // Layer 0: 30 step-rows * 4 * 16 * 26; layer 1 reads 32 features: 30 * 4 * 16 * 48.
        assertThat(lstm.macs()).isEqualTo(30L * 64 * 26 + 30L * 64 * 48);
        assertThat(lstm.ops()).isEqualTo(30L * 16 * (4 * 28 + 9) + 30L * 16 * (4 * 50 + 9));
    }

    @Test
    void aPackedLstmCountsEveryPackedRowAndTakesItsBatchFromTheState() {
        // nn.LSTM(8, 6, bidirectional=True) on a PackedSequence of 2 rows of length 5: data [10, 8], h0 and c0 [2, 2, 6].
        Op lstm = Op.of("LSTMLayers").input(10, 8).input(2, 2, 6).input(2, 2, 6);
        for (int direction = 0; direction < 2; direction++) {
            lstm.input(24, 8).input(24, 6).input(24).input(24);
        }
        lstm.attr("num_layers", 1).attr("bidirectional", 1).attr("has_biases", 1).attr("packed", 1).outputs(3);
        assertThat(lstm.infer()).extracting(TensorInfo::shape).containsExactly(dims(10, 12), dims(2, 2, 6), dims(2, 2, 6));
        // 10 packed rows (the sum of the lengths) * 2 directions * 4 gates * 6 units * (8 + 6): as the unpacked
        // LSTM over 5 steps of 2 rows.
        assertThat(lstm.macs()).isEqualTo(10L * 2 * 24 * 14);
        assertThat(lstm.ops()).isEqualTo(10L * 2 * 6 * (4 * 16 + 9));
    }

    @Test
    void packingGivesTheSizesTheirBoundAndPaddingGivesTheBatchBack() {
        // pack_padded_sequence(x [2, 5, 8], lengths [2], batch_first=True): at most 2 * 5 rows, at most 5 batch sizes of 2.
        Op pack = Op.of("PackPaddedSequence").input(2, 5, 8).input(TensorInfo.of(DType.INT64, Shape.of(2)))
                .attr("batch_first", 1).outputs(2);
        java.util.List<TensorInfo> packed = pack.infer();
        assertThat(packed).extracting(TensorInfo::shape).containsExactly(dims(10, 8), dims(5));
        assertThat(packed).allMatch(TensorInfo::dataDependent);
        assertThat(packed.get(1).data()).contains(dev.tally.ir.ConstData.ofInts(2, 2, 2, 2, 2));
        assertThat(pack.macs()).isZero();
        // pad_packed_sequence of the LSTM's [10, 12] output: [2, 5, 12] batch first, lengths [2]; total_length 7 pads to 7.
        Op pad = Op.of("PadPackedSequence").input(10, 12).input(packed.get(1)).attr("batch_first", 1).outputs(2);
        assertThat(pad.infer()).extracting(TensorInfo::shape).containsExactly(dims(2, 5, 12), dims(2));
        Op longer = Op.of("PadPackedSequence").input(10, 12).input(packed.get(1)).attr("total_length", 7).outputs(2);
        assertThat(longer.infer()).extracting(TensorInfo::shape).containsExactly(dims(7, 2, 12), dims(2));
        assertThatThrownBy(() -> Op.of("PadPackedSequence").input(10, 12).input(packed.get(1)).attr("total_length", 4).outputs(2).infer())
                .isInstanceOf(ModelException.class).hasMessageContaining("total_length 4 is less than the 5 steps");
    }

    @Test
    void torchGruWithoutBiasesHasTwoWeightsPerLayer() {
        Op gru = Op.of("GRULayers").input(5, 3, 10).input(1, 3, 16).input(48, 10).input(48, 16)
                .attr("num_layers", 1).attr("has_biases", 0).outputs(2);
        assertThat(gru.infer()).extracting(TensorInfo::shape).containsExactly(dims(5, 3, 16), dims(1, 3, 16));
        assertThat(gru.macs()).isEqualTo(15L * 48 * 26);
        assertThat(gru.ops()).isEqualTo(15L * 16 * (3 * 26 + 8));
    }

    @Test
    void torchLayersWithMissingWeightsSayHowManyAreExpected() {
        assertThatThrownBy(() -> Op.of("GRULayers").input(5, 3, 10).input(2, 3, 16).input(48, 10).input(48, 16)
                .attr("num_layers", 2).attr("has_biases", 0).outputs(2).shape()).isInstanceOf(ModelException.class)
                .hasMessageContaining("it has 2 weight tensors, expected 2 per layer and direction for 2 layers in 1 directions");
    }

    @Test
    void cellsAreOneStepOfOneDirection() {
        Op lstm = Op.of("LSTMCell").input(3, 10).input(3, 16).input(3, 16).input(64, 10).input(64, 16).input(64).input(64).outputs(2);
        assertThat(lstm.infer()).extracting(TensorInfo::shape).containsExactly(dims(3, 16), dims(3, 16));
        assertThat(lstm.macs()).isEqualTo(3L * 64 * 26);
        assertThat(lstm.ops()).isEqualTo(3L * 16 * (4 * 28 + 9));
        Op gru = Op.of("GRUCell").input(3, 16).input(3, 16).input(48, 16).input(48, 16);
        assertThat(gru.shape()).isEqualTo(dims(3, 16));
        assertThat(gru.macs()).isEqualTo(3L * 48 * 32);
        assertThat(gru.ops()).isEqualTo(3L * 16 * (3 * 32 + 8));
        Op relu = Op.of("RNNReluCell").input(3, 16).input(3, 16).input(16, 16).input(16, 16).input(16).input(16);
        assertThat(relu.ops()).isEqualTo(3L * 16 * (34 + 2));
    }
}
