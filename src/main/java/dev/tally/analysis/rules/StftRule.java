package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * Stft, PyTorch's {@code aten::stft(input, n_fft, hop_length, win_length, window, normalized, onesided,
 * return_complex)} (not ONNX's STFT, whose input and output layouts differ): input {@code [L]} or {@code [B, L]},
 * {@code center} (the {@code stft.center} overload) first pads {@code n_fft / 2} on each side; {@code frames = 1 +
 * (L - n_fft) / hop_length}; output {@code [B, bins, frames]} complex, or {@code [B, bins, frames, 2]} real when
 * {@code return_complex} is 0, {@code bins} as {@link Spectra}. Cost 0 ({@link Spectra}: FFTs are not counted).
 */
public final class StftRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "window?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (x.rank() != 1 && x.rank() != 2) {
            throw ctx.fail("input 'input' has shape " + x.shape() + ", expected [L] or [B, L]");
        }
        // PyTorch: one-sided unless the input or the window is complex (a complex signal has no Hermitian symmetry).
        Spectra.Frames f = Spectra.frames(ctx, !Spectra.isComplex(x.dtype()) && !Spectra.complexWindow(ctx));
        long length = x.shape().dim(-1) + (ctx.attrLong("center", 0) != 0 ? 2 * (f.nFft() / 2) : 0);
        if (length < f.nFft()) {
            throw ctx.fail("the signal has " + length + " samples, fewer than n_fft " + f.nFft());
        }
        long frames = 1 + (length - f.nFft()) / f.hop();
        boolean complex = ctx.attrLong("return_complex", 1) != 0;
        java.util.List<Long> dims = new java.util.ArrayList<>();
        if (x.rank() == 2) {
            dims.add(x.shape().dim(0));
        }
        dims.add(f.bins());
        dims.add(frames);
        if (!complex) {
            dims.add(2L);
        }
        return List.of(TensorInfo.of(complex ? Spectra.complexOf(ctx, x) : Spectra.realOf(x.dtype()), new Shape(dims)));
    }
}
