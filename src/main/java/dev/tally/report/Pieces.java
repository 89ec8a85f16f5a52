package dev.tally.report;

import dev.tally.util.SecondThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The text of a report's many rows made piece by piece on two threads, a helper making the even pieces and the calling
 * thread the odd ones, which it writes with the helper's, in order: on a 2-core machine both cores lay rows out (and
 * encode them, when the output takes bytes) while the pieces are written. The maker is called from both threads at
 * once. Used for a million-row table or JSON report (issue 14's one-million-node chain), never for small ones. Failures are the caller's, as on
 * one thread: a row that fails to be made fails the call after the pieces before it are written; a write that fails
 * stops the helper.
 */
final class Pieces {
    /** Rows laid out per piece, by default. */
    static final int ROWS = 4096;

    private Pieces() {
    }

    /** Makes rows {@code from} (inclusive) to {@code to} (exclusive) into {@code piece}. */
    interface Maker {
        void make(int from, int to, StringBuilder piece) throws IOException;
    }

    /**
     * Rows 0 to {@code count} made by {@code maker} on a helper thread, {@code perPiece} at a time, written to {@code out};
     * encoded by the thread that makes them when {@code out} takes encoded text ({@link EncodedOutput}).
     */
    static void write(int count, int perPiece, Maker maker, Appendable out) throws IOException {
        // The helper makes the even pieces, in order; this thread makes each odd piece when its turn to be written
        // comes, and writes every piece in order: making the rows is most of the work, so both cores make them (the
        // writing alone left this thread idle most of the time). A piece that fails is written up to its failing row.
        int pieces = (int) ((count + (long) perPiece - 1) / perPiece);
        EncodedOutput encoded = out instanceof EncodedOutput bytes ? bytes : null;
        java.nio.charset.Charset charset = encoded == null ? null : encoded.charset();
        BlockingQueue<Object> even = new ArrayBlockingQueue<>(4);
        SecondThread helper = SecondThread.start("tally-rows", () -> {
            try {
                for (int p = 0; p < pieces; p += 2) {
                    Object made = make(maker, p, perPiece, count, charset);
                    even.put(made);
                    if (made instanceof Failed) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // the writing thread stopped: nobody reads the rest
            }
        });
        try {
            for (int p = 0; p < pieces; p++) {
                Object piece = p % 2 == 0 ? take(even) : make(maker, p, perPiece, count, charset);
                if (piece instanceof Failed failed) {
                    out.append(failed.rows());
                    SecondThread.rethrow(failed.failure());
                }
                if (piece instanceof byte[] bytes) {
                    encoded.appendEncoded(bytes);
                } else {
                    out.append((String) piece);
                }
            }
        } finally {
            helper.stop(); // after a failed write the helper may wait on a full queue
        }
        helper.join(null);
    }

    /** A piece whose row {@code failure} stopped: the text of the rows before it. */
    private record Failed(String rows, Throwable failure) {
    }

    /** Piece {@code p}: its text (its bytes in {@code charset} unless null), or what stopped it. */
    private static Object make(Maker maker, int p, int perPiece, int count, java.nio.charset.Charset charset) {
        int from = (int) ((long) p * perPiece);
        StringBuilder piece = new StringBuilder(perPiece * 64);
        try {
            maker.make(from, (int) Math.min(count, (long) from + perPiece), piece);
        } catch (RuntimeException | Error e) {
            return new Failed(piece.toString(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder throws none
        }
        // Pieces are whole rows, so none ends inside a surrogate pair: each encodes as the writer would encode it.
        return charset == null ? piece.toString() : piece.toString().getBytes(charset);
    }

    private static Object take(BlockingQueue<Object> pieces) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return pieces.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
