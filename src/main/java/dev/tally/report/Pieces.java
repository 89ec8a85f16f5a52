package dev.tally.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The text of a report's many rows made on a helper thread, piece by piece, while the calling thread writes the
 * previous piece, in order: on a 2-core machine the rows' layout and their writing overlap. Used for a million-row
 * table or JSON report (issue 14's one-million-node chain), never for small ones. Failures are the caller's, as on
 * one thread: a row that fails to be made fails the call after the pieces before it are written; a write that fails
 * stops the helper.
 */
final class Pieces {
    /** Rows laid out per piece, by default. */
    static final int ROWS = 4096;

    /** The mark after the last piece. */
    private static final Object END = new Object();

    private Pieces() {
    }

    /** Makes rows {@code from} (inclusive) to {@code to} (exclusive) into {@code piece}. */
    interface Maker {
        void make(int from, int to, StringBuilder piece) throws IOException;
    }

    /** Takes one piece of text. */
    interface Sink {
        void write(String piece) throws IOException;
    }

    /** Rows 0 to {@code count} made by {@code maker} on a helper thread, {@code perPiece} at a time, written to {@code out}. */
    static void write(int count, int perPiece, Maker maker, Sink out) throws IOException {
        BlockingQueue<Object> pieces = new ArrayBlockingQueue<>(4);
        Helper helper = Helper.start(() -> {
            try {
                for (int from = 0; from < count; from += perPiece) {
                    StringBuilder piece = new StringBuilder(perPiece * 64);
                    try {
                        maker.make(from, Math.min(count, from + perPiece), piece);
                    } catch (RuntimeException | Error e) {
                        pieces.put(piece.toString()); // the rows before the failing one, then the failure
                        pieces.put(e);
                        return;
                    }
                    pieces.put(piece.toString());
                }
                pieces.put(END);
            } catch (InterruptedException e) {
                // the writing thread stopped: nobody reads the rest
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a StringBuilder throws none
            }
        });
        try {
            for (Object piece = take(pieces); piece != END; piece = take(pieces)) {
                if (piece instanceof Throwable failure) {
                    rethrow(failure);
                }
                out.write((String) piece);
            }
        } finally {
            helper.stop(); // after a failed write the helper may wait on a full queue
        }
        helper.join(null);
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

    /**
     * A daemon thread running one task, whose failure (an exception or error) {@link #join} rethrows in the caller:
     * work split in two fails as one thread would.
     */
    static final class Helper {
        private final Thread thread;
        private volatile Throwable failure;

        private Helper(String name, Runnable task) {
            thread = new Thread(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    failure = t;
                }
            }, name);
            thread.setDaemon(true);
        }

        static Helper start(Runnable task) {
            return start("tally-rows", task);
        }

        /** {@code task} started on a daemon thread called {@code name}. */
        static Helper start(String name, Runnable task) {
            Helper helper = new Helper(name, task);
            helper.thread.start();
            return helper;
        }

        /** Waits for the task; rethrows {@code earlier} if not null, else the task's failure. */
        void join(RuntimeException earlier) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (earlier != null) {
                throw earlier;
            }
            rethrow(failure);
        }

        void stop() {
            thread.interrupt();
        }
    }

    static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
