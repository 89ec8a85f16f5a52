package dev.tally.verify;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The folder where the engines' native libraries are unpacked, and the one place that starts the engines.
 * libtorch is about 450 MB unpacked, so it is unpacked once and reused; the first run says what it cost on
 * stderr instead of stalling silently.
 *
 * <p>The folder is {@code --cache DIR}, else {@code $TALLY_CACHE}, else {@code ~/.cache/tally}. DJL reads it
 * from its {@code ENGINE_CACHE_DIR} and {@code DJL_CACHE_DIR} system properties (documented in DJL's
 * "Resource Caches" page); ONNX Runtime's two libraries are copied out of its jar into a versioned subfolder
 * and loaded from there through its {@code onnxruntime.native.path} property, instead of a fresh temp folder
 * on every run.
 */
public final class EngineCache {
    public static final String ENV = "TALLY_CACHE";

    /** ONNX Runtime's libraries, named as this platform names them ({@code libonnxruntime.so}, {@code onnxruntime.dll}). */
    private static final String[] ORT_LIBRARIES = {
        System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni")};

    /** The Maven artifacts each engine needs; the library's POM declares them optional, so a user may lack them. */
    static final String DJL_ARTIFACTS = "ai.djl.pytorch:pytorch-engine, ai.djl.pytorch:pytorch-jni and "
            + "ai.djl.pytorch:pytorch-native-cpu (with your platform's classifier, e.g. linux-x86_64)";
    static final String ORT_ARTIFACTS = "com.microsoft.onnxruntime:onnxruntime";

    private final Path dir;
    private final Consumer<String> progress;

    /**
     * @param progress receives one line per engine start ({@code extracting libtorch (first run) ... 4.1 s});
     *                 the CLI sends it to stderr
     */
    public EngineCache(Path dir, Consumer<String> progress) {
        this.dir = dir.toAbsolutePath().normalize();
        this.progress = progress;
    }

    /** The cache folder the user asked for: {@code option} if given, else {@code $TALLY_CACHE}, else {@code ~/.cache/tally}. */
    public static Path resolve(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "tally");
    }

    public Path dir() {
        return dir;
    }

    /**
     * Starts DJL's PyTorch engine, unpacking libtorch into {@code <cache>/djl} on the first run. DJL keeps one
     * engine per process, so the folder of the first call in a process is the one used.
     */
    public Engine pytorch() {
        requirePyTorch();
        synchronized (EngineCache.class) {
            Path djl = dir.resolve("djl");
            boolean firstRun = !containsFile(djl, System.mapLibraryName("torch_cpu"));
            if (System.getProperty("ENGINE_CACHE_DIR") == null) {
                System.setProperty("ENGINE_CACHE_DIR", djl.toString());
            }
            if (System.getProperty("DJL_CACHE_DIR") == null) {
                System.setProperty("DJL_CACHE_DIR", djl.toString());
            }
            if (System.getProperty("ai.djl.offline") == null) {
                // The natives come from the pytorch-native-cpu jar on the classpath: nothing may be downloaded.
                System.setProperty("ai.djl.offline", "true");
            }
            long start = System.nanoTime();
            Engine engine;
            try {
                engine = Engine.getEngine("PyTorch");
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                throw new UsageException("DJL's PyTorch engine did not start from " + djl + " (" + oneLine(e)
                        + "); check that the folder is writable, or pass another with --cache DIR.");
            }
            report(firstRun ? "extracting libtorch (first run) into " + djl : "loading libtorch from " + djl, start);
            return engine;
        }
    }

    /** Starts ONNX Runtime from {@code <cache>/onnxruntime-<version>}, copying its libraries there on the first run. */
    public OrtEnvironment onnxRuntime() {
        requireOnnxRuntime();
        synchronized (EngineCache.class) {
            String version = OrtEnvironment.class.getPackage().getImplementationVersion();
            Path ort = dir.resolve("onnxruntime-" + (version == null ? "unknown" : version));
            long start = System.nanoTime();
            boolean firstRun = false;
            try {
                for (String library : ORT_LIBRARIES) {
                    firstRun |= extract(ortResources() + library, ort.resolve(library));
                }
            } catch (IOException e) {
                throw new UsageException("ONNX Runtime's libraries cannot be unpacked into " + ort + " (" + oneLine(e)
                        + "); pass a writable folder with --cache DIR.");
            }
            if (System.getProperty("onnxruntime.native.path") == null) {
                System.setProperty("onnxruntime.native.path", ort.toString());
            }
            OrtEnvironment environment;
            try {
                environment = OrtEnvironment.getEnvironment();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                throw new UsageException("ONNX Runtime did not start from " + ort + " (" + oneLine(e)
                        + "); delete the folder to unpack it again, or pass another with --cache DIR.");
            }
            report(firstRun ? "extracting onnxruntime (first run) into " + ort : "loading onnxruntime from " + ort, start);
            return environment;
        }
    }

    /**
     * Fails with one sentence naming the artifacts to add when DJL's PyTorch engine or libtorch is not on the
     * classpath. Checked by name before any DJL class is touched, so that a library user who never verifies a
     * TorchScript file needs none of them.
     */
    public static void requirePyTorch() {
        if (!present("ai.djl.pytorch.engine.PtEngine") || !present("ai.djl.pytorch.jni.JniUtils")
                || EngineCache.class.getResource("/native/lib/pytorch.properties") == null) {
            throw new UsageException("Verifying TorchScript needs DJL's PyTorch engine, which is not on the classpath;"
                    + " add " + DJL_ARTIFACTS + " to your dependencies (the tally release bundles them).");
        }
    }

    /** Fails with one sentence naming the artifact to add when ONNX Runtime is not on the classpath. */
    public static void requireOnnxRuntime() {
        if (!present("ai.onnxruntime.OrtEnvironment")) {
            throw new UsageException("Verifying ONNX needs ONNX Runtime, which is not on the classpath; add "
                    + ORT_ARTIFACTS + " to your dependencies (the tally release bundles it).");
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, EngineCache.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The folder of ONNX Runtime's jar that holds this platform's libraries, named as ONNX Runtime's own loader
     * names it ({@code OnnxRuntime.initOsArch}): {@code linux-x64}, {@code linux-aarch64}, {@code osx-aarch64},
     * {@code osx-x64}, {@code win-x64}.
     */
    static String ortResources() {
        return "/ai/onnxruntime/native/" + platformFolder(System.getProperty("os.name"), System.getProperty("os.arch")) + "/";
    }

    static String platformFolder(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.contains("win") ? "win" : name.contains("mac") || name.contains("darwin") ? "osx" : "linux";
        String arch = osArch.toLowerCase(Locale.ROOT);
        String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "aarch64"
                : arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch;
        return os + "-" + cpu;
    }

    /** Copies a classpath resource to {@code target} unless it is there already; true when it copied. */
    private static boolean extract(String resource, Path target) throws IOException {
        if (Files.isRegularFile(target)) {
            return false;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = EngineCache.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the onnxruntime jar holds no " + resource);
            }
            // Copy then rename, so that a run cut short never leaves half a library behind for the next one.
            Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return true;
    }

    private void report(String what, long startNanos) {
        progress.accept(String.format(Locale.ROOT, "%s ... %.1f s", what, (System.nanoTime() - startNanos) / 1e9));
    }

    private static boolean containsFile(Path root, String fileName) {
        if (!Files.isDirectory(root)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(root, 4)) {
            return files.anyMatch(p -> p.getFileName().toString().equals(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        message = message.strip();
        int newline = message.indexOf('\n');
        message = newline < 0 ? message : message.substring(0, newline);
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }
}
