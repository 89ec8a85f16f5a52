package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.report.Units;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promise of the one unit system: every size {@code summary} prints, in every format, pasted into a
 * {@code check} limit, is a limit the same model meets. The sizes are taken from the rendered text as a user
 * would copy them (the weight size and the activation memory of the totals, and every per-layer size as an
 * activation limit, which the total must then exceed or meet), and given to {@code check} as typed.
 */
class PrintedSizesAsLimitsTest {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d)?) (B|KiB|MiB|GiB|TiB)\\b");
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/alexnet.onnx", "models/lenet5.onnx", "models/worksheet.onnx", "models/vgg16.onnx"})
    void theTotalSizesPrintedInEveryFormatAreLimitsTheModelMeets(String model) throws Exception {
        String path = Fixtures.root().resolve(model).toString();
        JsonNode totals = JSON.readTree(run("summary", path, "--format", "json").out()).get("totals");
        long weight = totals.get("paramBytes").asLong();
        long activation = totals.get("activationBytes").asLong();
        for (String format : List.of("table", "markdown", "html", "csv", "json")) {
            String text = run("summary", path, "--format", format).out();
            String weightText = printed(format, text, "Weight size", "paramBytes");
            String activationText = printed(format, text, "Activation memory", "activationBytes");
            Run check = run("check", path, "--max-weight-bytes", weightText, "--max-activation", activationText);
            assertThat(check.code()).as("%s as %s: check --max-weight-bytes '%s' --max-activation '%s'\n%s%s",
                    model, format, weightText, activationText, check.out(), check.err()).isZero();
            // Met, and not by a limit so loose it says nothing: within a tenth of the unit printed.
            assertThat(Units.parseBytes(weightText) - weight).isBetween(0L, tenthOfUnit(weightText));
            assertThat(Units.parseBytes(activationText) - activation).isBetween(0L, tenthOfUnit(activationText));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"table", "markdown", "html"})
    void everySizeAReportPrintsParsesAsALimitInItsOwnUnit(String format) {
        String text = run("summary", Fixtures.root().resolve("models/alexnet.onnx").toString(), "--format", format).out();
        java.util.Set<String> sizes = new java.util.TreeSet<>();
        Matcher m = SIZE.matcher(text);
        while (m.find()) {
            sizes.add(m.group());
        }
        assertThat(sizes).as("sizes printed as %s", format).hasSizeGreaterThan(5);
        for (String size : sizes) {
            Run check = run("check", Fixtures.root().resolve("models/alexnet.onnx").toString(), "--max-activation", size);
            assertThat(check.err()).as(size).isEmpty();
            assertThat(check.code()).as(size).isIn(0, 1);
        }
    }

    /** The size a user copies from {@code text}: the human one beside the label, or the exact bytes in csv and json. */
    private static String printed(String format, String text, String label, String jsonName) throws Exception {
        switch (format) {
            case "json" -> {
                return JSON.readTree(text).get("totals").get(jsonName).asText();
            }
            case "csv" -> {
                List<String> lines = text.lines().toList();
                List<String> header = List.of(lines.get(0).split(","));
                String total = lines.stream().filter(l -> l.startsWith("(total),")).findFirst().orElseThrow();
                return total.split(",", -1)[header.indexOf(jsonName)];
            }
            default -> {
                String line = text.lines().filter(l -> l.contains(label)).findFirst()
                        .orElseThrow(() -> new AssertionError("no '" + label + "' line in the " + format + " output"));
                Matcher m = SIZE.matcher(line);
                String last = null;
                while (m.find()) {
                    last = m.group();
                }
                assertThat(last).as("a size on the line '%s'", line).isNotNull();
                return last;
            }
        }
    }

    private static long tenthOfUnit(String size) {
        int unit = List.of("B", "KiB", "MiB", "GiB", "TiB").indexOf(size.substring(size.indexOf(' ') + 1));
        return unit <= 0 ? 0 : (1L << (10 * unit)) / 10;
    }
}
