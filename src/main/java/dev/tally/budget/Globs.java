package dev.tally.budget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Model paths of a budget file, which may be globs ({@code exports/*.onnx}, {@code models/**}{@code /*.pt}) in the
 * syntax of {@link java.nio.file.FileSystem#getPathMatcher}: {@code *} within a folder, {@code **} across
 * folders, {@code ?}, {@code [abc]} and {@code {a,b}}. Paths are relative to a base folder, the budget file's.
 */
public final class Globs {
    private Globs() {
    }

    /** Whether {@code pattern} has glob syntax rather than naming one path. */
    public static boolean isGlob(String pattern) {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /**
     * The regular files {@code pattern} names under {@code base}, sorted by path; a pattern without glob syntax
     * gives its one path whether or not it exists, so that the caller can say it is missing.
     */
    public static List<Path> expand(Path base, String pattern) {
        String normalized = pattern.replace('\\', '/');
        if (!isGlob(normalized)) {
            return List.of(base.resolve(normalized).normalize());
        }
        // Walk from the longest folder prefix without glob syntax, and match the rest of each path against the glob.
        String[] parts = normalized.split("/");
        Path root = Path.of(normalized).isAbsolute() ? Path.of("/") : base;
        int fixed = 0;
        while (fixed < parts.length - 1 && !isGlob(parts[fixed])) {
            root = root.resolve(parts[fixed]);
            fixed++;
        }
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, fixed, parts.length));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        boolean deep = rest.contains("**");
        int depth = deep ? Integer.MAX_VALUE : parts.length - fixed;
        List<Path> matches = new ArrayList<>();
        Path start = root;
        try (Stream<Path> walk = Files.walk(start, depth)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(start.relativize(p)))
                    .forEach(p -> matches.add(p.normalize()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        matches.sort(null);
        return matches;
    }
}
