package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher src/main/dist/bin/tally, run by bash as users run it: its class archive (JDK 25 AOT cache or JDK 17
 * CDS archive) is made on the first run, and a run with a missing, truncated, overwritten or stale archive still
 * works and prints the same bytes, with nothing on stderr. Run with the JDK the launcher picks (Temurin 25 where
 * installed) and with the Java 17 running the tests.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("src/main/dist/bin/tally").toAbsolutePath();
    private static final Path MODEL = Path.of("models/lenet5.onnx").toAbsolutePath();
    private static final String JAVA_17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    static Path shared;
    private static Path jar;

    /** The classes as a jar, as the release ships them: class archives take classes from jars only. */
    @BeforeAll
    static void packClasses() throws IOException {
        jar = jarOfClasses(shared);
    }

    /** target/classes packed into DIR/tally.jar (MillionNodeChainTest runs the launcher the same way). */
    static Path jarOfClasses(Path dir) throws IOException {
        Path jar = dir.resolve("tally.jar");
        Path classes = Path.of("target/classes");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** What one launcher run printed. */
    record Run(int exit, String out, String err) {
    }

    private static Run run(Path cache, String java, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("XDG_CACHE_HOME", cache.toString());
        env.put("TALLY_CLASSPATH", jar + ":" + Files.readString(Path.of("target/classpath.txt")).strip());
        env.remove("TALLY_JAVA_OPTS");
        env.remove("TALLY_NO_CDS");
        env.remove("JAVA_HOME");
        if (java.isEmpty()) {
            env.remove("TALLY_JAVA");
        } else {
            env.put("TALLY_JAVA", java);
        }
        Path out = cache.resolve("out.txt");
        Path err = cache.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("the launcher finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static Path archive(Path cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache.resolve("tally/jvm"))) {
            List<Path> archives = files.filter(p -> p.getFileName().toString().matches("tally\\.(aot|jsa)")).toList();
            assertThat(archives).as("one archive in " + cache).hasSize(1);
            return archives.get(0);
        }
    }

    @ParameterizedTest(name = "java: {0}")
    @ValueSource(strings = {"", "java 17"})
    void aMissingTruncatedOverwrittenOrStaleArchiveNeverChangesARun(String which, @TempDir Path cache) throws Exception {
        String java = which.isEmpty() ? "" : JAVA_17;
        Run first = run(cache, java, "summary", MODEL.toString(), "--format", "json");
        assertThat(first.err()).isEmpty();
        assertThat(first.exit()).isZero();
        assertThat(first.out()).contains("\"params\"");
        Path archive = archive(cache);
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);

        // Truncated, as a full disk or a killed copy leaves it: JDK 17 would crash on it if it were offered.
        byte[] bytes = Files.readAllBytes(archive);
        archive.toFile().setWritable(true);
        Files.write(archive, Arrays.copyOf(bytes, bytes.length / 3));
        assertThat(run(cache, java, "summary", MODEL.toString(), "--format", "json")).isEqualTo(first);
        assertThat(Files.size(archive(cache))).as("made again").isGreaterThan(bytes.length / 3);

        // Overwritten in place with the same size and mtime: the launcher offers it, the JVM must refuse it quietly.
        Path current = archive(cache);
        FileTime mtime = Files.getLastModifiedTime(current);
        byte[] garbage = new byte[(int) Files.size(current)];
        Arrays.fill(garbage, (byte) 0x5a);
        current.toFile().setWritable(true);
        Files.write(current, garbage);
        Files.setLastModifiedTime(current, mtime);
        assertThat(run(cache, java, "summary", MODEL.toString(), "--format", "json")).isEqualTo(first);

        // Missing.
        Files.delete(archive(cache));
        assertThat(run(cache, java, "summary", MODEL.toString(), "--format", "json")).isEqualTo(first);

        // Stale: the jar changed after the archive was made, so the key changes and the old folder goes.
        Path before = archive(cache).getParent();
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        assertThat(run(cache, java, "summary", MODEL.toString(), "--format", "json")).isEqualTo(first);
        assertThat(archive(cache).getParent()).isNotEqualTo(before);
        assertThat(before).doesNotExist();
    }

    @Test
    void aFailedTrainingRunIsNotRetriedAndTheRunStillWorks(@TempDir Path cache) throws Exception {
        Run first = run(cache, "", "--version");
        Path folder = archive(cache).getParent();
        Files.delete(archive(cache));
        Files.createFile(folder.resolve("failed"));

        Run again = run(cache, "", "--version");

        assertThat(again).isEqualTo(first);
        assertThat(again.out()).startsWith("tally ");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("tally.aot", "tally.jsa");
        }
    }
}
