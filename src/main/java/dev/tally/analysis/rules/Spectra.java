package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;

/**
 * What PyTorch's short-time Fourier transforms share ({@code torch.stft}, {@code torch.istft}; docs/conventions.md,
 * "TorchScript ops written as other ops"): the frame geometry from {@code n_fft}, {@code hop_length} (default
 * {@code n_fft / 4}) and {@code win_length} (default {@code n_fft}), the frequency bins ({@code n_fft / 2 + 1} one-sided,
 * else {@code n_fft}) and the complex type of a real one. No MACs and no ops: the aten-level counter counts none for the
 * FFTs ({@code _fft_r2c}, {@code _fft_c2r}), and Tally has no FFT count either, so both are 0 and the report says so.
 */
final class Spectra {
    private Spectra() {
    }

    /** The resolved geometry of one transform. */
    record Frames(long nFft, long hop, long window, boolean onesided) {
        long bins() {
            return onesided ? nFft / 2 + 1 : nFft;
        }
    }

    /** The geometry of the node's attributes; {@code onesidedByDefault} is PyTorch's default when {@code onesided} is absent. */
    static Frames frames(OpContext ctx, boolean onesidedByDefault) {
        long nFft = ctx.attrLong("n_fft");
        long hop = ctx.attrLong("hop_length", nFft / 4);
        long window = ctx.attrLong("win_length", nFft);
        boolean onesided = ctx.attrLong("onesided", onesidedByDefault ? 1 : 0) != 0;
        if (nFft <= 0 || hop <= 0 || window <= 0 || window > nFft) {
            throw ctx.fail("n_fft " + nFft + ", hop_length " + hop + " and win_length " + window
                    + " are not a valid frame geometry, expected 0 < win_length <= n_fft and hop_length > 0");
        }
        ctx.optionalInput("window").ifPresent(w -> {
            if (w.rank() != 1 || w.shape().dim(0) != window) {
                throw ctx.fail("input 'window' has shape " + w.shape() + ", expected [" + window + "] (win_length)");
            }
        });
        return new Frames(nFft, hop, window, onesided);
    }

    /** Whether the node's window is complex. */
    static boolean complexWindow(OpContext ctx) {
        return ctx.optionalInput("window").map(w -> isComplex(w.dtype())).orElse(false);
    }

    static boolean isComplex(DType dtype) {
        return dtype == DType.COMPLEX64 || dtype == DType.COMPLEX128;
    }

    /** The complex type whose parts are {@code dtype}: complex64 for float32 (and the half types), complex128 for float64. */
    static DType complexOf(OpContext ctx, TensorInfo x) {
        if (isComplex(x.dtype())) {
            return x.dtype();
        }
        if (!x.dtype().isFloatingPoint()) {
            throw ctx.fail("input has element type " + x.dtype().displayName() + ", expected a floating or complex type");
        }
        return x.dtype() == DType.FLOAT64 ? DType.COMPLEX128 : DType.COMPLEX64;
    }

    /** The real type of a complex type's parts. */
    static DType realOf(DType dtype) {
        return dtype == DType.COMPLEX128 ? DType.FLOAT64 : dtype == DType.COMPLEX64 ? DType.FLOAT32 : dtype;
    }
}
