package dev.tally.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tally's one unit system, in both directions: how numbers are printed and how limits are read back.
 *
 * <p>Printing: exact integers with thousands separators ({@code 61,100,840}), counts in decimal units
 * ({@code 61.1 M}), and byte sizes in binary units under their IEC names ({@code 784.0 KiB}, 1 KiB = 1024 B).
 * A printed size is rounded up (away from zero) to one decimal, never down, so that any size a report shows can
 * be pasted into a {@code check} limit and the model it describes meets it. Independent of the machine's locale.
 *
 * <p>Reading, exactly as typed:
 * <ul>
 *   <li>Counts (params, MACs, ...) take decimal multipliers: {@code K} (or {@code k}) = 10^3, {@code M} = 10^6,
 *       {@code G} = 10^9, {@code T} = 10^12; no suffix is the plain number. A count must come out whole
 *       ({@code 1.5} params is refused, never rounded).</li>
 *   <li>Byte sizes take {@code B}, decimal {@code KB}/{@code kB} = 1000, {@code MB} = 1000^2, {@code GB} = 1000^3,
 *       {@code TB} = 1000^4, {@code PB}, {@code EB} (SI, as disk makers and {@code ls --si} use), and binary {@code KiB} = 1024,
 *       {@code MiB} = 1024^2, {@code GiB} = 1024^3, {@code TiB} = 1024^4, {@code PiB}, {@code EiB} (IEC); no suffix is bytes.
 *       {@code 60M} without {@code B} is refused for a size, because it would be ambiguous. A fractional byte
 *       count ({@code 233.1 MiB} is 244,423,065.6 B) is taken down to the whole byte: a limit of 244,423,065.6 B
 *       is met by exactly the sizes of at most 244,423,065 B.</li>
 * </ul>
 * The number may have a decimal point ({@code 0.8G}) and one space before the unit. Units are case-sensitive
 * except {@code k}, since {@code m} is milli and {@code b} is bit in SI.
 */
public final class Units {
    private static final String[] COUNT_NAMES = {"", "K", "M", "G", "T", "P", "E"};
    private static final String[] BYTE_NAMES = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([A-Za-z]*)");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?) ?%?");
    private static final Map<String, Long> COUNT_UNITS = Map.of(
            "", 1L, "K", 1_000L, "k", 1_000L, "M", 1_000_000L, "G", 1_000_000_000L, "T", 1_000_000_000_000L);
    private static final Map<String, Long> BYTE_UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("B", 1L),
            Map.entry("KB", 1_000L), Map.entry("kB", 1_000L), Map.entry("MB", 1_000_000L),
            Map.entry("GB", 1_000_000_000L), Map.entry("TB", 1_000_000_000_000L),
            Map.entry("PB", 1_000_000_000_000_000L), Map.entry("EB", 1_000_000_000_000_000_000L),
            Map.entry("KiB", 1L << 10), Map.entry("MiB", 1L << 20), Map.entry("GiB", 1L << 30), Map.entry("TiB", 1L << 40),
            Map.entry("PiB", 1L << 50), Map.entry("EiB", 1L << 60));

    /** What the units are, for help texts and messages. */
    public static final String COUNT_HELP = "counts take K, M, G, T = 10^3, 10^6, 10^9, 10^12 (62M, 0.8G)";
    public static final String BYTES_HELP = "sizes take B, KB, MB, GB, TB = 1000^n (60MB) or KiB, MiB, GiB, TiB = 1024^n (1.5GiB)";
    /** The sentence reports end with, so that a reader knows which kilobyte is meant. */
    public static final String BYTES_NOTE = "sizes in binary units, 1 KiB = 1024 B, rounded up";

    private Units() {
    }

    /** {@code 61100840} as {@code 61,100,840}. */
    public static String exact(long value) {
        if (value > -1000 && value < 1000) {
            return Long.toString(value); // no separator to add (most cells of a large table are 0)
        }
        String digits = Long.toString(Math.abs(value));
        StringBuilder text = new StringBuilder();
        int lead = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        text.append(digits, 0, lead);
        for (int i = lead; i < digits.length(); i += 3) {
            text.append(',').append(digits, i, i + 3);
        }
        return value < 0 ? "-" + text : text.toString();
    }

    /** A count in decimal units with one decimal: {@code 61.1 M}, {@code 714.2 M}; below 1000 the plain number. */
    public static String count(long value) {
        return scaled(value, 1000, COUNT_NAMES, "", RoundingMode.HALF_UP);
    }

    /**
     * Bytes in binary units under their IEC names, one decimal rounded away from zero: {@code 784.0 KiB},
     * 244,403,360 B as {@code 233.1 MiB} (233.08...); below 1024 {@code 512 B}.
     */
    public static String bytes(long value) {
        return scaled(value, 1024, BYTE_NAMES, " B", RoundingMode.UP);
    }

    private static String scaled(long value, int base, String[] names, String plainSuffix, RoundingMode rounding) {
        if (Math.abs(value) < base) {
            return Long.toString(value).concat(plainSuffix);
        }
        BigDecimal scaled = BigDecimal.valueOf(value);
        BigDecimal divisor = BigDecimal.valueOf(base);
        int unit = 0;
        // Round before deciding the unit, so 999,960 reads 1.0 M rather than 1000.0 K.
        while (unit < names.length - 1 && scaled.abs().setScale(1, rounding).compareTo(divisor) >= 0) {
            scaled = scaled.divide(divisor);
            unit++;
        }
        return scaled.setScale(1, rounding).toPlainString() + " " + names[unit];
    }

    /** {@code 62M} as 62,000,000; see the class comment for the units. */
    public static long parseCount(String text) {
        Matcher m = match(text);
        String unit = m.group(2);
        Long multiplier = COUNT_UNITS.get(unit);
        if (multiplier == null) {
            if (BYTE_UNITS.containsKey(unit)) {
                throw new UnitFormatException("'" + text + "' is a size in bytes, but this figure is a count; write it like 62M or 0.8G");
            }
            throw new UnitFormatException("'" + text + "' has an unknown unit '" + unit + "'; " + COUNT_HELP);
        }
        BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (value.stripTrailingZeros().scale() > 0) {
            throw new UnitFormatException("'" + text + "' is not a whole number (" + value.toPlainString() + ")");
        }
        return exactLong(text, value);
    }

    /** {@code 1.5GiB} as 1,610,612,736 bytes, {@code 233.1 MiB} as 244,423,065; see the class comment. */
    public static long parseBytes(String text) {
        Matcher m = match(text);
        String unit = m.group(2);
        Long multiplier = BYTE_UNITS.get(unit);
        if (multiplier == null) {
            if (COUNT_UNITS.containsKey(unit)) {
                String upper = m.group(1) + unit.toUpperCase(Locale.ROOT);
                throw new UnitFormatException("'" + text + "' has no byte unit; write " + upper
                        + "B for 1000-based or " + upper + "iB for 1024-based bytes");
            }
            throw new UnitFormatException("'" + text + "' has an unknown unit '" + unit + "'; " + BYTES_HELP);
        }
        BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
        return exactLong(text, value.setScale(0, RoundingMode.DOWN));
    }

    /** {@code 2%} (or {@code 2}) as 2; {@code 0.5%} as 0.5. */
    public static BigDecimal parsePercent(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (!PERCENT.matcher(trimmed).matches()) {
            throw new UnitFormatException("'" + text + "' is not a growth percentage; write it like 2% or 0.5%");
        }
        return new BigDecimal(trimmed.replace("%", "").strip());
    }

    private static Matcher match(String text) {
        String trimmed = text == null ? "" : text.strip();
        Matcher m = QUANTITY.matcher(trimmed);
        if (!m.matches()) {
            String why = trimmed.startsWith("-") ? "a limit cannot be negative" : "write a number and a unit";
            throw new UnitFormatException("'" + text + "' is not a limit (" + why + ", like 62M, 0.8G, 60MB or 1.5GiB)");
        }
        return m;
    }

    private static long exactLong(String text, BigDecimal value) {
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new UnitFormatException("'" + text + "' is too large for a 64-bit count");
        }
    }

    /**
     * A quantity that does not parse. The message is a clause without the final period, so that the caller can
     * say where the text came from ({@code --max-params} or a budget file's line and key) before ending the sentence.
     */
    public static final class UnitFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnitFormatException(String message) {
            super(message);
        }
    }
}
