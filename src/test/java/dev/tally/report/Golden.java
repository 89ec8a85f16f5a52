package dev.tally.report;

import static org.assertj.core.api.Assertions.fail;

import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.TestInfo;

/**
 * Golden files of rendered output, named after their test: {@code src/test/resources/golden/<TestClass>/<testMethod>.<ext>}.
 *
 * <p>To regenerate them after an intended change, run the tests with {@code -Dtally.updateGolden=true}, e.g.
 * {@code mvn -B -o test -Dtest='RenderersGoldenTest' -Dtally.updateGolden=true}, then read the diff with
 * {@code git diff src/test/resources/golden} before committing. Without the flag a mismatch fails with a line
 * diff, and a missing file fails too: nothing is created silently.
 */
public final class Golden {
    private Golden() {
    }

    public static void assertMatches(TestInfo test, String extension, String actual) {
        String name = test.getTestClass().orElseThrow().getSimpleName() + "/"
                + test.getTestMethod().orElseThrow().getName() + "." + extension;
        Path file = Fixtures.root().resolve("src/test/resources/golden").resolve(name);
        try {
            if (Boolean.parseBoolean(System.getProperty("tally.updateGolden"))) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.isRegularFile(file)) {
                fail("Golden file " + file + " is missing; create it with -Dtally.updateGolden=true and review it.");
            }
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            if (!expected.equals(actual)) {
                fail("Output differs from " + file + " (- golden, + actual; regenerate with -Dtally.updateGolden=true):\n"
                        + diff(expected, actual));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line diff from the longest common subsequence; golden files are small, so O(n*m) is fine. */
    static String diff(String expected, String actual) {
        // Keep CR visible: CSV lines end in CRLF and a lost CR must show.
        List<String> a = expected.replace("\r", "\\r").lines().toList();
        List<String> b = actual.replace("\r", "\\r").lines().toList();
        int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                i++;
                j++;
            } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
                out.add("-" + (i + 1) + ": " + a.get(i++));
            } else {
                out.add("+" + (j + 1) + ": " + b.get(j++));
            }
        }
        if (out.isEmpty()) {
            out.add("(only line endings or a final newline differ)");
        }
        return String.join("\n", out);
    }
}
