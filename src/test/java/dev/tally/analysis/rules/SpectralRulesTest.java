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

/**
 * PyTorch's spectral ops as the TorchScript loader writes them (Stft, Istft, ViewAsReal, ViewAsComplex, HannWindow,
 * EyeLike) and the BoundedValue of a number read from bounded values, with sizes worked out by hand from PyTorch's
 * documented formulas; FFTs cost nothing (docs/conventions.md, Part 1).
 */
class SpectralRulesTest {
    @Test
    void stftFramesTheSignalByHopAndKeepsTheOneSidedBins() {
        // HDemucs: [2, 46080] (already reflect-padded by 512 on each side), n_fft 1024, hop 256, a Hann window of 1024:
        // 1 + (46080 - 1024) / 256 = 177 frames of 513 bins, complex64.
        Op stft = Op.of("Stft").input(2, 46080).input(1024).attr("n_fft", 1024).attr("hop_length", 256).attr("return_complex", 1);
        assertThat(stft.output()).isEqualTo(TensorInfo.of(DType.COMPLEX64, Shape.of(2, 513, 177)));
        assertThat(stft.macs()).isZero();
        assertThat(stft.ops()).isZero();
        // The center overload pads n_fft / 2 on each side first: 400 + 64 samples, hop 16 by default: 1 + 400 / 16 = 26.
        Op centred = Op.of("Stft").input(400).attr("n_fft", 64).attr("center", 1).attr("return_complex", 1);
        assertThat(centred.shape()).isEqualTo(dims(33, 26));
        // Two-sided, the legacy real layout: n_fft bins and a last axis of 2.
        Op real = Op.of("Stft").input(1, 100).attr("n_fft", 20).attr("hop_length", 10).attr("onesided", 0).attr("return_complex", 0);
        assertThat(real.output()).isEqualTo(TensorInfo.of(DType.FLOAT32, Shape.of(1, 20, 9, 2)));
        assertThatThrownBy(() -> Op.of("Stft").input(10).attr("n_fft", 64).output())
                .isInstanceOf(ModelException.class).hasMessageContaining("fewer than n_fft 64");
    }

    @Test
    void istftRestoresTheLengthItIsGivenOrTheFramesCover() {
        TensorInfo spectrum = TensorInfo.of(DType.COMPLEX64, Shape.of(8, 513, 177));
        Op given = Op.of("Istft").input(spectrum).input(1024).attr("n_fft", 1024).attr("hop_length", 256).attr("center", 1)
                .attr("length", 45056);
        assertThat(given.output()).isEqualTo(TensorInfo.of(DType.FLOAT32, Shape.of(8, 45056)));
        // Without a length: 1024 + 256 * 176 - 2 * 512 = 45056 centred, 46080 not.
        assertThat(Op.of("Istft").input(spectrum).attr("n_fft", 1024).attr("hop_length", 256).attr("center", 1).shape())
                .isEqualTo(dims(8, 45056));
        assertThat(Op.of("Istft").input(spectrum).attr("n_fft", 1024).attr("hop_length", 256).attr("center", 0).shape())
                .isEqualTo(dims(8, 46080));
        assertThatThrownBy(() -> Op.of("Istft").input(spectrum).attr("n_fft", 512).attr("onesided", 1).output())
                .isInstanceOf(ModelException.class).hasMessageContaining("513 frequency bins, expected 257");
        assertThat(given.macs()).isZero();
    }

    @Test
    void complexViewsMoveThePartsToALastAxisOfTwoAndBack() {
        TensorInfo real = Op.of("ViewAsReal").input(TensorInfo.of(DType.COMPLEX64, Shape.of(2, 513, 177))).output();
        assertThat(real).isEqualTo(TensorInfo.of(DType.FLOAT32, Shape.of(2, 513, 177, 2)));
        assertThat(Op.of("ViewAsComplex").input(real).output()).isEqualTo(TensorInfo.of(DType.COMPLEX64, Shape.of(2, 513, 177)));
        assertThat(Op.of("ViewAsComplex").input(TensorInfo.of(DType.FLOAT64, Shape.of(3, 2))).output())
                .isEqualTo(TensorInfo.of(DType.COMPLEX128, Shape.of(3)));
        assertThatThrownBy(() -> Op.of("ViewAsComplex").input(3, 4).output())
                .isInstanceOf(ModelException.class).hasMessageContaining("last axis is 2");
        assertThatThrownBy(() -> Op.of("ViewAsReal").input(3, 4).output())
                .isInstanceOf(ModelException.class).hasMessageContaining("expected a complex type");
    }

    @Test
    void hannWindowAndEyeAreConstantsWithTheirValues() {
        // torch.hann_window(4): 0.5 - 0.5 cos(2 pi n / 4) = 0, 0.5, 1, 0.5; not periodic, over 3: 0, 0.75, 0.75, 0.
        assertThat(Op.of("HannWindow").scalar(4).doubles()).containsExactly(0, 0.5, 1, 0.5);
        assertThat(Op.of("HannWindow").scalar(4).attr("periodic", 0).doubles()).containsExactly(0, 0.75, 0.75, 0);
        // torch.eye(2, 3, dtype=torch.bool): ONNX bool is 9.
        TensorInfo eye = Op.of("EyeLike").input(2, 3).attr("dtype", 9).output();
        assertThat(eye.dtype()).isEqualTo(DType.BOOL);
        assertThat(eye.data()).contains(ConstData.ofInts(1, 0, 0, 0, 1, 0));
    }

    @Test
    void aNumberReadFromBoundedValuesIsItsBoundMarkedDataDependent() {
        Op read = Op.of("BoundedValue").input(TensorInfo.of(DType.INT64, Shape.scalar())).attr("max", 100).attr("of", "lengths");
        TensorInfo value = read.output();
        assertThat(value.dataDependent()).isTrue();
        assertThat(value.data()).contains(ConstData.ofInts(100));
        assertThat(value.shape()).isEqualTo(Shape.scalar());
    }
}
