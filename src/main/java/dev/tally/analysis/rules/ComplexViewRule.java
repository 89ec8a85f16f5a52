package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ViewAsReal and ViewAsComplex, PyTorch's {@code view_as_real(x)} (complex {@code [...]} to its parts' type
 * {@code [..., 2]}) and {@code view_as_complex(x)} (the reverse, the last axis of 2 being the real and imaginary
 * parts). Views of the same storage: cost 0 and no allocation (docs/conventions.md, Memory).
 */
public final class ComplexViewRule implements OpRule {
    private final boolean toReal;

    private ComplexViewRule(boolean toReal) {
        this.toReal = toReal;
    }

    public static ComplexViewRule asReal() {
        return new ComplexViewRule(true);
    }

    public static ComplexViewRule asComplex() {
        return new ComplexViewRule(false);
    }

    @Override
    public List<String> inputs() {
        return List.of("input");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo x = ctx.input("input");
        List<Long> dims = new ArrayList<>(x.shape().dims());
        if (toReal) {
            if (!Spectra.isComplex(x.dtype())) {
                throw ctx.fail("input 'input' has element type " + x.dtype().displayName() + ", expected a complex type");
            }
            dims.add(2L);
            return List.of(TensorInfo.of(Spectra.realOf(x.dtype()), new Shape(dims)));
        }
        if (dims.isEmpty() || dims.get(dims.size() - 1) != 2 || !x.dtype().isFloatingPoint() || Spectra.isComplex(x.dtype())) {
            throw ctx.fail("input 'input' is " + x.dtype().displayName() + x.shape() + ", expected a floating tensor whose last"
                    + " axis is 2 (the real and imaginary parts)");
        }
        dims.remove(dims.size() - 1);
        return List.of(TensorInfo.of(Spectra.complexOf(ctx, x), new Shape(dims)));
    }
}
