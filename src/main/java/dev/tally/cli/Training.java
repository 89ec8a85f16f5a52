package dev.tally.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the launcher ({@code src/main/dist/bin/tally}): the commands a user runs most, on small
 * models of every format held in the jar, so that the JVM records the classes they load into its AOT cache (JDK
 * 25, {@code -XX:AOTCacheOutput}) or CDS archive (JDK 17, {@code -XX:ArchiveClassesAtExit}). Output is discarded;
 * the exit code is 0 only when every command succeeded, and the launcher keeps the archive only then.
 */
public final class Training {
    /** The models, made by {@code scripts/make_training_models.py}, with the input shape TorchScript needs. */
    private static final String[][] MODELS = {
        {"sampler.onnx"},
        {"sampler.traced.pt", "--input", "1x3x16x16"},
        {"sampler.scripted.pt", "--input", "1x3x16x16"},
    };

    private Training() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Files.createTempDirectory("tally-training");
        try {
            int failures = 0;
            List<String> batch = new ArrayList<>(List.of("summary"));
            for (String[] model : MODELS) {
                Path file = folder.resolve(model[0]);
                try (InputStream in = Training.class.getResourceAsStream("training/" + model[0])) {
                    if (in == null) {
                        throw new IOException("the jar holds no dev/tally/cli/training/" + model[0]);
                    }
                    Files.copy(in, file);
                }
                List<String> command = new ArrayList<>(List.of("summary", file.toString()));
                command.addAll(List.of(model).subList(1, model.length));
                failures += run(command);
                command.addAll(List.of("--format", "json"));
                failures += run(command);
            }
            // One shape fits all three, and the TorchScript files need one.
            batch.addAll(List.of(folder.toString(), "--input", "1x3x16x16"));
            failures += run(batch);
            failures += run(List.of("--version"));
            System.exit(failures == 0 ? 0 : 1);
        } finally {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(Training::delete);
            }
        }
    }

    private static int run(List<String> args) {
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        return Main.run(discard, discard, args.toArray(new String[0])) == 0 ? 0 : 1;
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
