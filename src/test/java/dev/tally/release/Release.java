package dev.tally.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.testing.Fixtures;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The release tarball ({@code target/tally-VERSION.tar.gz}, made by {@code mvn package}) unpacked into a fresh
 * temporary folder outside the repository, and a way to run its {@code bin/tally} as a user would: the working
 * folder outside the source tree, a home of its own, and a PATH that holds the system's commands but neither
 * Maven nor Python (a folder of links to every other command in /usr/bin).
 */
final class Release {
    final Path home;
    final Path work;
    private final Path tools;

    private Release(Path home, Path work, Path tools) {
        this.home = home;
        this.work = work;
        this.tools = tools;
    }

    static Path tarball() {
        Path tarball = Fixtures.root().resolve("target/tally-" + Tally.VERSION + ".tar.gz");
        assertThat(tarball).as("mvn package makes the release before the integration tests").isRegularFile();
        return tarball;
    }

    /** Unpacks the tarball with tar, as the README's Install section says. */
    static Release unpack() throws IOException {
        Path root = Files.createTempDirectory("tally-release-");
        Path tools = Files.createDirectories(root.resolve("tools"));
        try (Stream<Path> commands = Files.list(Path.of("/usr/bin"))) {
            for (Path command : (Iterable<Path>) commands::iterator) {
                String name = command.getFileName().toString();
                if (!name.startsWith("mvn") && !name.startsWith("python") && !name.startsWith("pip")) {
                    Files.createSymbolicLink(tools.resolve(name), command);
                }
            }
        }
        Path userHome = Files.createDirectories(root.resolve("home"));
        Path work = Files.createDirectories(root.resolve("work"));
        Release release = new Release(root.resolve("tally-" + Tally.VERSION), work, tools);
        Result untar = release.run(root, List.of("tar", "xzf", tarball().toString()), userHome);
        assertThat(untar.exitCode()).as(untar.stderr()).isZero();
        return release;
    }

    Path bin() {
        return home.resolve("bin/tally");
    }

    /** Runs {@code bin/tally ARGS} in the work folder. */
    Result tally(String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(bin().toString());
        command.addAll(List.of(args));
        return run(work, command, work.getParent().resolve("home"));
    }

    /** Runs a command in {@code dir} with the release's clean environment. */
    Result run(Path dir, List<String> command, Path userHome) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", home.resolve("bin") + File.pathSeparator + tools);
        env.put("HOME", userHome.toString());
        env.put("LANG", "C.UTF-8");
        try {
            Path out = Files.createTempFile(work.getParent(), "out", ".txt");
            Path err = Files.createTempFile(work.getParent(), "err", ".txt");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in 5 minutes");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Copies a file into the work folder, so the command line names it relative to the user's folder. */
    String copy(Path file) throws IOException {
        Files.copy(file, work.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file.getFileName().toString();
    }

    /** Deletes the temporary folder with everything unpacked and made in it (links are deleted, not followed). */
    void delete() throws IOException {
        try (Stream<Path> files = Files.walk(home.getParent())) {
            for (Path file : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    record Result(int exitCode, String stdout, String stderr) {
    }
}
