package dev.tally.testing;

import dev.tally.ir.TallyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The invariant every fuzz test checks (issue 14): whatever the bytes, a reader either succeeds or throws one of
 * Tally's own errors ({@link TallyException}: exit 2, 3 or 5 in the CLI) whose message is one printable sentence.
 * Anything else escaping (a NullPointerException, an IndexOutOfBoundsException, a StackOverflowError, an
 * OutOfMemoryError) is a finding: Jazzer saves the input as {@code crash-<sha1>} next to the seeds, and from then on
 * it is a regression input.
 */
public final class FuzzInvariant {
    /** A message this long is no longer one sentence a person reads: it quotes too much of the file. */
    static final int MAX_MESSAGE_CHARS = 2_000;

    private FuzzInvariant() {
    }

    /** Runs {@code action}; passes when it returns or throws a one-sentence {@link TallyException}. */
    public static void holds(Runnable action) {
        try {
            action.run();
        } catch (TallyException e) {
            requireOneSentence(e);
        }
    }

    /**
     * Writes {@code bytes} to a new file named {@code <prefix>...<suffix>} in a folder of its own, runs
     * {@code action} on it under {@link #holds}, and deletes the file. A new file per input: the ONNX reader maps the
     * file into memory, and rewriting a mapped file in place could fault a mapping still alive.
     */
    public static void holdsForFile(byte[] bytes, String suffix, java.util.function.Consumer<Path> action) {
        Path file;
        try {
            file = Files.createTempFile(folder(), "fuzz", suffix);
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            holds(() -> action.accept(file));
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The folder is a temporary one; a file left there is harmless.
            }
        }
    }

    private static Path folder;

    private static synchronized Path folder() throws IOException {
        if (folder == null) {
            folder = Files.createTempDirectory("tally-fuzz");
            folder.toFile().deleteOnExit();
        }
        return folder;
    }

    static void requireOneSentence(TallyException e) {
        String message = e.getMessage();
        String problem = null;
        if (message == null || message.isBlank()) {
            problem = "has no message";
        } else if (message.length() > MAX_MESSAGE_CHARS) {
            problem = "is " + message.length() + " characters long";
        } else if (!message.endsWith(".")) {
            problem = "does not end with a period";
        } else if (message.chars().anyMatch(Character::isISOControl)) {
            problem = "holds a line break or a control character (raw bytes of the file?)";
        }
        if (problem != null) {
            throw new AssertionError(e.getClass().getSimpleName() + "'s message " + problem + ", but Tally's errors are one printable sentence: "
                    + (message == null ? "null" : message.length() > 300 ? message.substring(0, 300) + "..." : message), e);
        }
    }
}
