package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.cli.Main;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What dev.tally:tally brings into a user's build: no native library, no logging binding, under 10 MB in all;
 * and verification, whose engines are optional, says which artifacts to add instead of failing obscurely.
 */
class DependencyTreeTest {
    private static final long LIMIT_BYTES = 10L * 1000 * 1000;

    private static List<Path> jars() throws IOException {
        String classpath = Files.readString(Path.of(System.getProperty("tally.classpath"))).strip();
        List<Path> jars = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            jars.add(Path.of(entry));
        }
        return jars;
    }

    @Test
    void theResolvedTreeHoldsNoNativeLibraryAndNoLoggingBinding() throws IOException {
        List<String> offending = new ArrayList<>();
        for (Path jar : jars()) {
            String name = jar.getFileName().toString();
            if (name.contains("native") || name.startsWith("onnxruntime") || name.startsWith("pytorch")
                    || name.startsWith("slf4j-nop") || name.startsWith("logback") || name.startsWith("slf4j-simple")) {
                offending.add(name);
                continue;
            }
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    String path = entry.getName();
                    if (path.endsWith(".so") || path.endsWith(".dll") || path.endsWith(".dylib")) {
                        offending.add(name + "!" + path);
                    }
                }
            }
        }
        assertEquals(List.of(), offending);
    }

    @Test
    void theResolvedTreeStaysUnderTenMegabytes() throws IOException {
        long bytes = 0;
        for (Path jar : jars()) {
            bytes += Files.size(jar);
        }
        assertTrue(bytes < LIMIT_BYTES, "the test classpath weighs " + bytes + " bytes");
        assertTrue(jars().stream().anyMatch(j -> j.getFileName().toString().startsWith("tally-")), "tally is on it");
    }

    @Test
    void verifyNamesTheArtifactsToAdd() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "verify",
                System.getProperty("tally.model"));
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("add com.microsoft.onnxruntime:onnxruntime to your dependencies"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
}
