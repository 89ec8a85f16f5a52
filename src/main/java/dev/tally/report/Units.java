package dev.tally.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How numbers read in text reports: exact integers with thousands separators ({@code 61,100,840}), counts in
 * decimal units ({@code 61.1 M}), and bytes in binary units ({@code 784.0 KB}, where 1 KB = 1024 B, as lecture
 * tables use). Independent of the machine's locale, so reports and golden files are the same everywhere.
 */
public final class Units {
    private static final String[] COUNT_UNITS = {"", "K", "M", "G", "T", "P", "E"};
    private static final String[] BYTE_UNITS = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};

    private Units() {
    }

    /** {@code 61100840} as {@code 61,100,840}. */
    public static String exact(long value) {
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
        return scaled(value, 1000, COUNT_UNITS, "");
    }

    /** Bytes in binary units with one decimal: {@code 784.0 KB}; below 1024 {@code 512 B}. */
    public static String bytes(long value) {
        return scaled(value, 1024, BYTE_UNITS, " B");
    }

    private static String scaled(long value, int base, String[] units, String plainSuffix) {
        if (Math.abs(value) < base) {
            return value + plainSuffix;
        }
        BigDecimal scaled = BigDecimal.valueOf(value);
        BigDecimal divisor = BigDecimal.valueOf(base);
        int unit = 0;
        // Round before deciding the unit, so 999,960 reads 1.0 M rather than 1000.0 K.
        while (unit < units.length - 1
                && scaled.abs().setScale(1, RoundingMode.HALF_UP).compareTo(divisor) >= 0) {
            scaled = scaled.divide(divisor);
            unit++;
        }
        return scaled.setScale(1, RoundingMode.HALF_UP).toPlainString() + " " + units[unit];
    }
}
