package dev.tally.ir;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An unmodifiable list of longs over a primitive array: a figure per node or per layer of a million-node graph is
 * 8 MB this way, and 24 MB more as boxed values (issue 14's one-million-node chain).
 */
public final class LongList extends AbstractList<Long> implements RandomAccess {
    private final long[] values;
    private final int size;

    /** @param values the first {@code size} are the list; the caller gives them up and never changes them */
    public LongList(long[] values, int size) {
        if (size < 0 || size > values.length) {
            throw new IllegalArgumentException("A list of " + size + " from " + values.length + " values.");
        }
        this.values = values;
        this.size = size;
    }

    @Override
    public Long get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Index " + index + " of " + size + ".");
        }
        return values[index];
    }

    /** The value at {@code index}, unboxed. */
    public long at(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException("Index " + index + " of " + size + ".");
        }
        return values[index];
    }

    @Override
    public int size() {
        return size;
    }
}
