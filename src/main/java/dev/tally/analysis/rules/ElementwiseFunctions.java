package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;

/** Integer arithmetic as ONNX's integer kernels compute it, for the values of shape tensors. */
final class ElementwiseFunctions {
    private ElementwiseFunctions() {
    }

    /** Integer Div truncates toward zero, as ONNX Runtime's integer kernel. */
    static long divide(long a, long b) {
        if (b == 0) {
            throw new IllegalArgumentException("an integer division by zero in known values");
        }
        return a / b;
    }

    static long power(long a, long b) {
        return (long) Math.pow(a, b);
    }

    /** Mod: with {@code fmod = 0} (integers) the result takes the divisor's sign, as Python's %; with 1, C's fmod. */
    static Arithmetic mod(OpContext ctx) {
        boolean fmod = ctx.attrLong("fmod", 0) != 0;
        return Arithmetic.of((a, b) -> {
            if (b == 0) {
                throw new IllegalArgumentException("an integer modulo by zero in known values");
            }
            return fmod ? a % b : Math.floorMod(a, b);
        }, (a, b) -> fmod ? a % b : a - Math.floor(a / b) * b);
    }
}
