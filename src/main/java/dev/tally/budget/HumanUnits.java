package dev.tally.budget;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Limits as people write them: {@code 62M}, {@code 0.8G}, {@code 60MB}, {@code 1.5GiB}, {@code 2%}.
 *
 * <ul>
 *   <li>Counts (params, MACs, ...) take decimal multipliers: {@code K} (or {@code k}) = 10^3, {@code M} = 10^6,
 *       {@code G} = 10^9, {@code T} = 10^12; no suffix is the plain number.</li>
 *   <li>Byte sizes take {@code B}, decimal {@code KB}/{@code kB} = 1000, {@code MB} = 1000^2, {@code GB} = 1000^3,
 *       {@code TB} = 1000^4 (SI, as disk makers and {@code ls --si} use), and binary {@code KiB} = 1024,
 *       {@code MiB} = 1024^2, {@code GiB} = 1024^3, {@code TiB} = 1024^4 (IEC); no suffix is bytes.
 *       {@code 60M} without {@code B} is refused for a size, because it would be ambiguous.</li>
 * </ul>
 * The number may have a decimal point ({@code 0.8G}) and one space before the unit; the value it names must be
 * a whole number of units ({@code 1.5} params is refused, never rounded). Units are case-sensitive except
 * {@code k}, since {@code m} is milli and {@code b} is bit in SI.
 */
public final class HumanUnits {
    private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([A-Za-z]*)");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?) ?%?");
    private static final Map<String, Long> COUNT_UNITS = Map.of(
            "", 1L, "K", 1_000L, "k", 1_000L, "M", 1_000_000L, "G", 1_000_000_000L, "T", 1_000_000_000_000L);
    private static final Map<String, Long> BYTE_UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("B", 1L),
            Map.entry("KB", 1_000L), Map.entry("kB", 1_000L), Map.entry("MB", 1_000_000L),
            Map.entry("GB", 1_000_000_000L), Map.entry("TB", 1_000_000_000_000L),
            Map.entry("KiB", 1L << 10), Map.entry("MiB", 1L << 20), Map.entry("GiB", 1L << 30), Map.entry("TiB", 1L << 40));

    /** What the units are, for help texts and messages. */
    public static final String COUNT_HELP = "counts take K, M, G, T = 10^3, 10^6, 10^9, 10^12 (62M, 0.8G)";
    public static final String BYTES_HELP = "sizes take B, KB, MB, GB, TB = 1000^n (60MB) or KiB, MiB, GiB, TiB = 1024^n (1.5GiB)";

    private HumanUnits() {
    }

    /** The limit {@code text} names for a figure of {@code kind}. */
    public static long parse(String text, Figure.Kind kind) {
        return kind == Figure.Kind.COUNT ? parseCount(text) : parseBytes(text);
    }

    /** {@code 62M} as 62,000,000; see the class comment for the units. */
    public static long parseCount(String text) {
        Matcher m = match(text);
        String unit = m.group(2);
        Long multiplier = COUNT_UNITS.get(unit);
        if (multiplier == null) {
            if (BYTE_UNITS.containsKey(unit)) {
                throw new LimitFormatException("'" + text + "' is a size in bytes, but this figure is a count; write it like 62M or 0.8G");
            }
            throw new LimitFormatException("'" + text + "' has an unknown unit '" + unit + "'; " + COUNT_HELP);
        }
        return whole(text, m.group(1), multiplier);
    }

    /** {@code 1.5GiB} as 1,610,612,736 bytes; see the class comment for the units. */
    public static long parseBytes(String text) {
        Matcher m = match(text);
        String unit = m.group(2);
        Long multiplier = BYTE_UNITS.get(unit);
        if (multiplier == null) {
            if (COUNT_UNITS.containsKey(unit)) {
                throw new LimitFormatException("'" + text + "' has no byte unit; write " + m.group(1) + unit.toUpperCase(java.util.Locale.ROOT)
                        + "B for 1000-based or " + m.group(1) + unit.toUpperCase(java.util.Locale.ROOT) + "iB for 1024-based bytes");
            }
            throw new LimitFormatException("'" + text + "' has an unknown unit '" + unit + "'; " + BYTES_HELP);
        }
        return whole(text, m.group(1), multiplier);
    }

    /** {@code 2%} (or {@code 2}) as 2; {@code 0.5%} as 0.5. */
    public static BigDecimal parsePercent(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (!PERCENT.matcher(trimmed).matches()) {
            throw new LimitFormatException("'" + text + "' is not a growth percentage; write it like 2% or 0.5%");
        }
        return new BigDecimal(trimmed.replace("%", "").strip());
    }

    /** {@code 802816} as {@code 784.0 KiB}: binary units with their IEC names and one decimal. */
    public static String binaryBytes(long value) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        BigDecimal scaled = BigDecimal.valueOf(value);
        BigDecimal base = BigDecimal.valueOf(1024);
        int unit = 0;
        while (unit < units.length - 1 && scaled.abs().setScale(1, java.math.RoundingMode.HALF_UP).compareTo(base) >= 0) {
            scaled = scaled.divide(base);
            unit++;
        }
        return unit == 0 ? value + " B" : scaled.setScale(1, java.math.RoundingMode.HALF_UP).toPlainString() + " " + units[unit];
    }

    private static Matcher match(String text) {
        String trimmed = text == null ? "" : text.strip();
        Matcher m = QUANTITY.matcher(trimmed);
        if (!m.matches()) {
            String why = trimmed.startsWith("-") ? "a limit cannot be negative" : "write a number and a unit";
            throw new LimitFormatException("'" + text + "' is not a limit (" + why + ", like 62M, 0.8G, 60MB or 1.5GiB)");
        }
        return m;
    }

    private static long whole(String text, String number, long multiplier) {
        BigDecimal value = new BigDecimal(number).multiply(BigDecimal.valueOf(multiplier));
        try {
            return value.stripTrailingZeros().scale() > 0
                    ? fail(text, "is not a whole number (" + value.toPlainString() + ")")
                    : value.longValueExact();
        } catch (ArithmeticException e) {
            return fail(text, "is too large for a 64-bit count");
        }
    }

    private static long fail(String text, String why) {
        throw new LimitFormatException("'" + text + "' " + why);
    }

    /**
     * A limit that does not parse. The message is a clause without the final period, so that the caller can say
     * where the text came from ({@code --max-params} or a budget file's line and key) before ending the sentence.
     */
    public static final class LimitFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        LimitFormatException(String message) {
            super(message);
        }
    }
}
