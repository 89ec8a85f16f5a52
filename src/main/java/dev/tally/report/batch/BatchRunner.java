package dev.tally.report.batch;

import dev.tally.ir.TallyException;
import dev.tally.report.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Analyses many model files in parallel, one task per file on a pool as large as the machine's cores, and
 * returns one row per file in the order the files were found. A file that fails becomes a row with its
 * message; the others go on.
 */
public final class BatchRunner {
    private final Function<Path, Summary> analyze;
    private final int threads;

    /** @param analyze the summary of one file; throws a {@link TallyException} for a bad file */
    public BatchRunner(Function<Path, Summary> analyze, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("A batch needs at least one thread, not " + threads + ".");
        }
        this.analyze = analyze;
        this.threads = threads;
    }

    public BatchRunner(Function<Path, Summary> analyze) {
        this(analyze, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The files {@code paths} name: a file as it is (whatever its name, the loader judges the content), a folder
     * by every {@code .onnx}, {@code .pt}, {@code .pth} and {@code .safetensors} file under it (checkpoints count as
     * their matched architecture), recursively, sorted by path, leaving out hidden files
     * and folders (a name starting with a dot: an exporter's half-written temporary folder is not a model). A path
     * that does not exist stays in the list so that its row says so.
     */
    public static List<Path> collect(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                // Files.walk does not enter a folder given as a symbolic link; walk its target and name the
                // files under the path as the user wrote it.
                try (Stream<Path> walk = Files.walk(path.toRealPath())) {
                    Path real = path.toRealPath();
                    walk.filter(Files::isRegularFile)
                            .map(p -> path.resolve(real.relativize(p)))
                            .filter(p -> !hidden(path.relativize(p)))
                            .filter(p -> {
                                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                                return name.endsWith(".onnx") || name.endsWith(".pt") || name.endsWith(".pth")
                                        || name.endsWith(".safetensors");
                            })
                            .sorted()
                            .forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                files.add(path);
            }
        }
        return files;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param progress where to draw a progress bar, or null for none (CI logs: a bar of carriage returns only
     *                 clutters them)
     */
    public List<BatchRow> run(List<Path> files, PrintWriter progress) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, files.size())), runnable -> {
            Thread thread = new Thread(runnable, "tally-batch");
            thread.setDaemon(true);
            return thread;
        });
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, files.size());
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<BatchRow>> futures = new ArrayList<>();
            for (Path file : files) {
                futures.add(pool.submit(() -> {
                    BatchRow row = analyzeOne(file);
                    if (bar != null) {
                        bar.update(done.incrementAndGet(), file.getFileName().toString());
                    }
                    return row;
                }));
            }
            List<BatchRow> rows = new ArrayList<>();
            for (Future<BatchRow> future : futures) {
                rows.add(future.get());
            }
            if (bar != null) {
                bar.clear();
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The batch was interrupted.", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("A batch task failed outside its own error handling.", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private BatchRow analyzeOne(Path file) {
        String path = file.toString();
        try {
            return BatchRow.of(path, analyze.apply(file));
        } catch (TallyException e) {
            return BatchRow.failed(path, e.getMessage(), false);
        } catch (RuntimeException | StackOverflowError e) {
            // One broken model must not take the batch down; the row says it is a bug so it gets reported.
            String detail = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
            return BatchRow.failed(path, "internal error: " + e.getClass().getName() + detail + " (please report)", true);
        }
    }

    /** {@code [#########...........]  5/13 vgg16.onnx}, redrawn in place with a carriage return. */
    static final class ProgressBar {
        private static final int WIDTH = 30;
        private final PrintWriter out;
        private final int total;

        ProgressBar(PrintWriter out, int total) {
            this.out = out;
            this.total = total;
        }

        synchronized void update(int done, String name) {
            int filled = total == 0 ? WIDTH : done * WIDTH / total;
            String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + name;
            out.print("\r" + line + " ".repeat(Math.max(0, 70 - line.length())));
            out.flush();
        }

        synchronized void clear() {
            out.print("\r" + " ".repeat(WIDTH + 50) + "\r");
            out.flush();
        }
    }
}
