package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * Istft, PyTorch's {@code aten::istft(input, n_fft, hop_length, win_length, window, center, normalized, onesided,
 * length, return_complex)}: input complex {@code [B, bins, frames]} (or {@code [bins, frames]}); output {@code [B, L]}
 * with {@code L = length} when given, else {@code n_fft + hop_length * (frames - 1)}, less {@code 2 * (n_fft / 2)} with
 * {@code center}; real (the parts' type) unless {@code return_complex}. {@code bins} must be {@link Spectra}'s for the
 * geometry, as PyTorch checks. Cost 0 ({@link Spectra}: FFTs are not counted; nor is the overlap-add).
 */
public final class IstftRule implements OpRule {
    @Override
    public List<String> inputs() {
        return List.of("input", "window?");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        if (!Spectra.isComplex(x.dtype()) || x.rank() != 2 && x.rank() != 3) {
            throw ctx.fail("input 'input' is " + x.dtype().displayName() + x.shape() + ", expected a complex [bins, frames]"
                    + " or [B, bins, frames]");
        }
        boolean returnComplex = ctx.attrLong("return_complex", 0) != 0;
        long bins = x.shape().dim(-2);
        // PyTorch: one-sided by default when the bins are not n_fft.
        Spectra.Frames f = Spectra.frames(ctx, bins != ctx.attrLong("n_fft"));
        long frames = x.shape().dim(-1);
        if (bins != f.bins()) {
            throw ctx.fail("input 'input' has " + bins + " frequency bins, expected " + f.bins() + " for n_fft " + f.nFft()
                    + (f.onesided() ? ", one-sided" : ""));
        }
        long length = ctx.hasAttribute("length") ? ctx.attrLong("length")
                : f.nFft() + f.hop() * (frames - 1) - (ctx.attrLong("center", 1) != 0 ? 2 * (f.nFft() / 2) : 0);
        Shape shape = x.rank() == 3 ? Shape.of(x.shape().dim(0), length) : Shape.of(length);
        return List.of(TensorInfo.of(returnComplex ? x.dtype() : Spectra.realOf(x.dtype()), shape));
    }
}
