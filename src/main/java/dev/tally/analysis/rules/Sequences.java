package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.TensorInfo;
import java.util.List;

/**
 * What the ONNX sequence ops share: reading a sequence input and a position in it. A sequence the shape pass knows
 * has a static length and each tensor's type and shape ({@link TensorInfo#sequence}); they move tensors and cost 0.
 */
final class Sequences {
    private Sequences() {
    }

    /** The tensors of sequence input {@code name}. */
    static List<TensorInfo> of(OpContext ctx, String name) {
        TensorInfo value = ctx.input(name);
        if (!value.isSequence()) {
            throw ctx.fail("input '" + name + "' is a tensor of shape " + value.shape() + ", expected a sequence");
        }
        return value.elements().get();
    }

    /** Whether any input of the node is data-dependent, so that its sequence or tensor output is too. */
    static boolean dataDependent(OpContext ctx, String... names) {
        for (String name : names) {
            if (ctx.optionalInput(name).map(TensorInfo::dataDependent).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The position input {@code name} (a scalar the shape pass must know) as an index into {@code 0..length-1}, or
     * {@code 0..length} when {@code insert}; negative positions count from the back, as the spec has it.
     */
    static int position(OpContext ctx, String name, int length, boolean insert) {
        TensorInfo input = ctx.input(name);
        if (input.numel() != 1) {
            throw ctx.fail("input '" + name + "' has shape " + input.shape() + ", expected one position");
        }
        long position = ctx.inputData(name).longAt(0);
        long limit = insert ? length : length - 1;
        if (position < -length || position > limit) {
            throw ctx.fail("input '" + name + "' is " + position + ", outside [" + -length + ", " + limit
                    + "] for a sequence of " + length + " tensors");
        }
        return (int) (position < 0 ? position + length : position);
    }
}
