package dev.tally.analysis;

/**
 * What one node costs under the project's conventions (docs/conventions.md): multiply-accumulates and
 * elementary operations. FLOPs are not stored: they are {@code 2 * macs} by definition ({@link Convention#FLOPS}).
 */
public record Cost(long macs, long ops) {
    public static final Cost ZERO = new Cost(0, 0);

    public Cost {
        if (macs < 0 || ops < 0) {
            throw new IllegalArgumentException("A cost cannot be negative: macs=" + macs + ", ops=" + ops + ".");
        }
    }

    /** A node with no multiply-accumulates and {@code ops} elementary operations. */
    public static Cost ops(long ops) {
        return new Cost(0, ops);
    }

    /** This cost {@code times} over: a node in a loop that runs at most {@code times} times (overflow throws). */
    public Cost times(long times) {
        if (times == 1) {
            return this; // most nodes run once: no copy (records are compared by value)
        }
        return new Cost(Math.multiplyExact(macs, times), Math.multiplyExact(ops, times));
    }

    public Cost plus(Cost other) {
        return new Cost(Math.addExact(macs, other.macs), Math.addExact(ops, other.ops));
    }
}
