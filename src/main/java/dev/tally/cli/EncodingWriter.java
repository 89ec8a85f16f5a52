package dev.tally.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.Charset;

/**
 * A Writer to a byte stream, as an {@code OutputStreamWriter} behind a {@code BufferedWriter}, except that a long
 * string is encoded at once ({@link String#getBytes(Charset)}): a report written in pieces of a quarter of a megabyte
 * (issue 14's million-row table and JSON) went through the buffered writer 8 KB at a time, each char copied out of
 * the string and encoded again, most of the writing thread's time. Short writes are gathered and encoded together.
 * Unmappable and malformed characters become the charset's replacement, as the stream writer does; a surrogate pair
 * split between two writes is kept whole.
 */
final class EncodingWriter extends Writer implements dev.tally.report.EncodedOutput {
    /** Writes of at least this many chars are encoded at once; shorter ones are gathered up to it. */
    private static final int LONG = 8192;

    private final OutputStream out;
    private final Charset charset;
    private final StringBuilder pending = new StringBuilder(LONG);

    EncodingWriter(OutputStream out, Charset charset) {
        this.out = out;
        this.charset = charset;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        pending.append(chars, offset, length);
        if (pending.length() >= LONG) {
            encodePending();
        }
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        if (length >= LONG && pending.isEmpty() && !Character.isHighSurrogate(text.charAt(offset + length - 1))) {
            out.write(text.substring(offset, offset + length).getBytes(charset));
            return;
        }
        pending.append(text, offset, offset + length);
        if (pending.length() >= LONG) {
            encodePending();
        }
    }

    @Override
    public void write(int c) throws IOException {
        pending.append((char) c);
        if (pending.length() >= LONG) {
            encodePending();
        }
    }

    @Override
    public Charset charset() {
        return charset;
    }

    /** Writes text already encoded in {@link #charset()}, after the chars gathered before it. */
    @Override
    public void appendEncoded(byte[] bytes) throws IOException {
        encode(false);
        out.write(bytes);
    }

    /** Encodes what is gathered, but a trailing high surrogate, whose low half the next write brings. */
    private void encodePending() throws IOException {
        encode(true);
    }

    /** Encodes what is gathered; a trailing high surrogate is kept back when {@code keepHighSurrogate}. */
    private void encode(boolean keepHighSurrogate) throws IOException {
        int end = pending.length();
        if (keepHighSurrogate && end > 0 && Character.isHighSurrogate(pending.charAt(end - 1))) {
            end--;
        }
        if (end > 0) {
            out.write(pending.substring(0, end).getBytes(charset));
            pending.delete(0, end);
        }
    }

    @Override
    public void flush() throws IOException {
        encodePending();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        // A lone high surrogate left at the end is encoded as it is (the charset's replacement), as the stream writer does.
        encode(false);
        out.close();
    }
}
