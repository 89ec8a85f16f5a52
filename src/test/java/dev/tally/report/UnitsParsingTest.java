package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class UnitsParsingTest {

    @Test
    void aKilobyteIsAThousandBytesAndAKibibyteIs1024AsTyped() {
        assertThat(Units.parseBytes("1KB")).isEqualTo(1_000L);
        assertThat(Units.parseBytes("1 KiB")).isEqualTo(1_024L);
        assertThat(Units.parseBytes("1MB")).isEqualTo(1_000_000L);
        assertThat(Units.parseBytes("1MiB")).isEqualTo(1_048_576L);
        assertThat(Units.parseBytes("1GB")).isEqualTo(1_000_000_000L);
        assertThat(Units.parseBytes("1GiB")).isEqualTo(1_073_741_824L);
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
    void countsTakeDecimalMultipliers() {
        assertThat(Units.parseCount("62M")).isEqualTo(62_000_000L);
        assertThat(Units.parseCount("0.8G")).isEqualTo(800_000_000L);
        assertThat(Units.parseCount("1.5K")).isEqualTo(1_500L);
        assertThat(Units.parseCount("1.5k")).isEqualTo(1_500L);
        assertThat(Units.parseCount("2T")).isEqualTo(2_000_000_000_000L);
        assertThat(Units.parseCount("61100840")).isEqualTo(61_100_840L);
        assertThat(Units.parseCount("714.2 M")).isEqualTo(714_200_000L);
        assertThat(Units.parseCount("0")).isZero();
    }

    @Test
    void sizesTakeDecimalUnitsWithBAndBinaryUnitsWithIB() {
        assertThat(Units.parseBytes("60MB")).isEqualTo(60_000_000L);
        assertThat(Units.parseBytes("1kB")).isEqualTo(1_000L);
        assertThat(Units.parseBytes("1KB")).isEqualTo(1_000L);
        assertThat(Units.parseBytes("1KiB")).isEqualTo(1_024L);
        assertThat(Units.parseBytes("60MiB")).isEqualTo(62_914_560L);
        assertThat(Units.parseBytes("1.5GiB")).isEqualTo(1_610_612_736L);
        assertThat(Units.parseBytes("2TB")).isEqualTo(2_000_000_000_000L);
        assertThat(Units.parseBytes("1TiB")).isEqualTo(1_099_511_627_776L);
        assertThat(Units.parseBytes("512")).isEqualTo(512L);
        assertThat(Units.parseBytes("512B")).isEqualTo(512L);
        assertThat(Units.parseBytes("784 KiB")).isEqualTo(802_816L);
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
    void aFractionalByteCountIsTakenDownToTheWholeByteBecauseALimitIsAnUpperBound() {
        assertThat(Units.parseBytes("0.1KiB")).isEqualTo(102L);
        assertThat(Units.parseBytes("233.1 MiB")).isEqualTo(244_423_065L);
        assertThat(Units.parseBytes("233.1MB")).isEqualTo(233_100_000L);
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
