package dev.tally.util;

/**
 * A daemon thread running one task, whose failure (an exception or error) {@link #join} rethrows in the caller:
 * work split in two fails as one thread would. The second core's share of the work on a large graph (issue 14's
 * one-million-node chain): half the cost pass, the training run, half the report's rows.
 */
public final class SecondThread {
    /**
     * Graphs of this many nodes or more share their work with a second thread; smaller ones are done before a thread
     * would have started (the parse, the value ids, the cost pass, the fused ops, the training run, the rows).
     */
    public static final int GRAPH_NODES = 1 << 16;

    private final Thread thread;
    private volatile Throwable failure;

    private SecondThread(String name, Runnable task) {
        thread = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                failure = t;
            }
        }, name);
        thread.setDaemon(true);
    }

    /** {@code task} started on a daemon thread called {@code name}. */
    public static SecondThread start(String name, Runnable task) {
        SecondThread helper = new SecondThread(name, task);
        helper.thread.start();
        return helper;
    }

    /** Waits for the task; rethrows {@code earlier} if not null, else the task's failure. */
    public void join(RuntimeException earlier) {
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

    /** Interrupts the task (which stops when it looks). */
    public void stop() {
        thread.interrupt();
    }

    /** Throws {@code failure} as it is when unchecked, wrapped otherwise; nothing when null. */
    public static void rethrow(Throwable failure) {
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
