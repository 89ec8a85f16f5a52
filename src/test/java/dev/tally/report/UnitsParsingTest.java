package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsParsingTest {

    /**
     * Every unit as typed: KB and kB are 1000, KiB 1024 and so on; counts take K, M, G, T (k too); a fractional byte
     * count is taken down to the whole byte because a limit is an upper bound.
     */
    @ParameterizedTest(name = "{0} ''{1}'' is {2}")
    @CsvSource(delimiter = '|', textBlock = """
            size  | 1KB       | 1000
            size  | 1kB       | 1000
            size  | 1 KiB     | 1024
            size  | 1KiB      | 1024
            size  | 1MB       | 1000000
            size  | 1MiB      | 1048576
            size  | 60MB      | 60000000
            size  | 60MiB     | 62914560
            size  | 784 KiB   | 802816
            size  | 1GB       | 1000000000
            size  | 1GiB      | 1073741824
            size  | 1.5GiB    | 1610612736
            size  | 2TB       | 2000000000000
            size  | 1TiB      | 1099511627776
            size  | 512       | 512
            size  | 512B      | 512
            # Fractions of a byte are dropped: 0.1 KiB is 102.4 B, 233.1 MiB is 244,423,065.6 B.
            size  | 0.1KiB    | 102
            size  | 233.1 MiB | 244423065
            size  | 233.1MB   | 233100000
            count | 62M       | 62000000
            count | 0.8G      | 800000000
            count | 1.5K      | 1500
            count | 1.5k      | 1500
            count | 2T        | 2000000000000
            count | 61100840  | 61100840
            count | 714.2 M   | 714200000
            count | 0         | 0
            """)
    void aTypedLimitParsesToExactlyWhatItsUnitSays(String kind, String typed, long expected) {
        long parsed = kind.equals("size") ? Units.parseBytes(typed) : Units.parseCount(typed);
        assertThat(parsed).isEqualTo(expected);
    }

    /**
     * The property the unit system exists for: whatever size Tally prints, pasted back as a limit, is met by the
     * size it described, and is no more than a tenth of a unit above it. Checked over sizes at every unit's
     * boundaries and a spread of values between.
     */
    @Test
    void everyPrintedSizeParsesBackToALimitTheSizeMeetsAndThatIsCloseToIt() {
        java.util.List<Long> sizes = new java.util.ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int shift = 0; shift <= 60; shift += 10) {
            long unit = 1L << shift;
            for (long k : new long[] {1, 2, 1000, 1023, 1024}) {
                if (k <= Long.MAX_VALUE / unit / 2) {
                    sizes.add(k * unit - 1);
                    sizes.add(k * unit);
                    sizes.add(k * unit + 1);
                }
            }
        }
        for (int i = 0; i < 20_000; i++) {
            sizes.add(random.nextLong(1L << random.nextInt(1, 62)));
        }
        for (long size : sizes) {
            String printed = Units.bytes(size);
            long limit = Units.parseBytes(printed);
            assertThat(limit).as("%d B printed as %s", size, printed).isGreaterThanOrEqualTo(size);
            int unit = java.util.List.of("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB").indexOf(printed.substring(printed.indexOf(' ') + 1));
            double unitBytes = Math.pow(1024, unit);
            assertThat((double) (limit - size)).as("%d B printed as %s", size, printed).isLessThanOrEqualTo(unitBytes / 10);
        }
    }

    @Test
    void aSizeWithoutBIsRefusedBecauseItIsAmbiguous() {
        assertThatThrownBy(() -> Units.parseBytes("60M"))
                .hasMessage("'60M' has no byte unit; write 60MB for 1000-based or 60MiB for 1024-based bytes");
    }

    @Test
    void aCountWithAByteUnitIsRefused() {
        assertThatThrownBy(() -> Units.parseCount("60MB"))
                .hasMessage("'60MB' is a size in bytes, but this figure is a count; write it like 62M or 0.8G");
    }

    @Test
    void aValueThatIsNotAWholeNumberIsRefusedNotRounded() {
        assertThatThrownBy(() -> Units.parseCount("1.2345K")).hasMessage("'1.2345K' is not a whole number (1234.5000)");
        assertThatThrownBy(() -> Units.parseCount("0.5")).hasMessage("'0.5' is not a whole number (0.5)");
    }

    @Test
    void unitsAreCaseSensitiveExceptKiloBecauseLowerMIsMilliAndLowerBIsBit() {
        assertThatThrownBy(() -> Units.parseCount("62m")).hasMessageStartingWith("'62m' has an unknown unit 'm'; counts take K, M, G, T");
        assertThatThrownBy(() -> Units.parseBytes("1.5gib")).hasMessageStartingWith("'1.5gib' has an unknown unit 'gib'; sizes take B, KB");
        assertThatThrownBy(() -> Units.parseBytes("60Mb")).hasMessageStartingWith("'60Mb' has an unknown unit 'Mb'");
    }

    @Test
    void negativeEmptyExponentAndGarbageAreNotLimits() {
        assertThatThrownBy(() -> Units.parseCount("-5M")).hasMessage("'-5M' is not a limit (a limit cannot be negative, like 62M, 0.8G, 60MB or 1.5GiB)");
        assertThatThrownBy(() -> Units.parseCount("")).hasMessageStartingWith("'' is not a limit (write a number and a unit");
        assertThatThrownBy(() -> Units.parseCount("1e9")).hasMessageStartingWith("'1e9' is not a limit");
        assertThatThrownBy(() -> Units.parseCount("62,000,000")).hasMessageStartingWith("'62,000,000' is not a limit");
        assertThatThrownBy(() -> Units.parseCount(".5M")).hasMessageStartingWith("'.5M' is not a limit");
    }

    @Test
    void aLimitBeyondALongIsRefusedRatherThanWrapped() {
        assertThatThrownBy(() -> Units.parseCount("9300000T")).hasMessage("'9300000T' is too large for a 64-bit count");
        assertThat(Units.parseCount("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void growthIsAPercentageWithOrWithoutTheSign() {
        assertThat(Units.parsePercent("2%")).isEqualByComparingTo(new BigDecimal("2"));
        assertThat(Units.parsePercent("0.5%")).isEqualByComparingTo(new BigDecimal("0.5"));
        assertThat(Units.parsePercent("10")).isEqualByComparingTo(new BigDecimal("10"));
        assertThatThrownBy(() -> Units.parsePercent("-1%")).hasMessage("'-1%' is not a growth percentage; write it like 2% or 0.5%");
        assertThatThrownBy(() -> Units.parsePercent("two")).hasMessageStartingWith("'two' is not a growth percentage");
    }

    @Test
    void bytesInMessagesUseIecNamesSoTheyCannotBeMistakenForDecimalLimits() {
        assertThat(Units.bytes(802_816)).isEqualTo("784.0 KiB");
        assertThat(Units.bytes(1_610_612_736L)).isEqualTo("1.5 GiB");
        assertThat(Units.bytes(1023)).isEqualTo("1023 B");
        assertThat(dev.tally.budget.Figure.ACTIVATION.format(60_000_000)).isEqualTo("60,000,000 B (57.3 MiB)");
        assertThat(dev.tally.budget.Figure.PARAMS.format(61_100_840)).isEqualTo("61,100,840 (61.1 M)");
    }
}
