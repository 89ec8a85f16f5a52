package dev.tally.verify;

import dev.tally.analysis.ResolvedInput;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded random tensor fed to one graph input: the same values on every run and in both engines, so a
 * failure can be reproduced. Floats are uniform in [0, 1); integer inputs (token ids, indices) are 0 or 1, which
 * every embedding table and gather accepts.
 */
record RandomInput(String name, DType dtype, Shape shape, long seed) {
    static final long BASE_SEED = 20240611L;

    /** One input per resolved graph input, seeded by position. */
    static List<RandomInput> of(List<ResolvedInput> inputs) {
        List<RandomInput> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            ResolvedInput input = inputs.get(i);
            result.add(new RandomInput(input.name(), input.dtype(), input.shape(), BASE_SEED + i));
        }
        return result;
    }

    int elementCount() {
        long n = shape.numel();
        if (n > Integer.MAX_VALUE) {
            throw new UsageException("Input '" + name + "' of shape " + shape + " has " + n
                    + " elements, more than one Java array holds; pass a smaller --input " + name + "=....");
        }
        return (int) n;
    }

    float[] floats() {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[elementCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return values;
    }

    long[] longs() {
        SplittableRandom random = new SplittableRandom(seed);
        long[] values = new long[elementCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(2);
        }
        return values;
    }

    VerificationReport.Input describe() {
        return new VerificationReport.Input(name, dtype.displayName(), shape, seed);
    }
}
