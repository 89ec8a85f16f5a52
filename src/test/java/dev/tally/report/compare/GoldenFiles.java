package dev.tally.report.compare;

import static org.assertj.core.api.Assertions.fail;

import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.TestInfo;

/**
 * Golden files of the check, compare and batch outputs: {@code src/test/resources/golden/<area>/<testMethod>.<ext>}.
 * Regenerate with {@code -Dtally.updateGolden=true} (as {@link dev.tally.report.Golden}) and review
 * {@code git diff src/test/resources/golden}. The fixture folder is written as {@code <fixtures>} so the files do not
 * depend on where the fixtures live.
 */
public final class GoldenFiles {
    private GoldenFiles() {
    }

    public static String portable(String text) {
        return text.replace(Fixtures.dir().toString(), "<fixtures>");
    }

    public static void assertMatches(String area, TestInfo test, String extension, String actual) {
        String text = portable(actual);
        Path file = Fixtures.root().resolve("src/test/resources/golden").resolve(area)
                .resolve(test.getTestMethod().orElseThrow().getName() + "." + extension);
        try {
            if (Boolean.parseBoolean(System.getProperty("tally.updateGolden"))) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.isRegularFile(file)) {
                fail("Golden file " + file + " is missing; create it with -Dtally.updateGolden=true and review it.");
            }
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            if (!expected.equals(text)) {
                fail("Output differs from " + file + " (regenerate with -Dtally.updateGolden=true):\n" + firstDifference(expected, text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line that differs, both ways: enough to see what changed; git diff shows the rest. */
    static String firstDifference(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String left = i < a.length ? a[i] : "(end)";
            String right = i < b.length ? b[i] : "(end)";
            if (!left.equals(right)) {
                return "line " + (i + 1) + ":\n- " + left + "\n+ " + right;
            }
        }
        return "(only line endings differ)";
    }
}
