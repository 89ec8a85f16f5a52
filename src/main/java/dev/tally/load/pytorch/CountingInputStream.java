package dev.tally.load.pytorch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes handed out, so that a reader knows where it is: the unpickler's opcode offsets, the start of
 * the next storage in a legacy file. The unpickler peeks at length prefixes with mark and reset, so the position
 * follows the reset.
 */
public final class CountingInputStream extends FilterInputStream {
    private long position;
    private long marked;

    public CountingInputStream(InputStream in) {
        super(in);
    }

    /** The bytes read so far. */
    public long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            position++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        position += skipped;
        return skipped;
    }

    @Override
    public synchronized void mark(int readLimit) {
        super.mark(readLimit);
        marked = position;
    }

    @Override
    public synchronized void reset() throws IOException {
        super.reset();
        position = marked;
    }
}
