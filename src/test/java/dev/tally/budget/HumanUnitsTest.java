package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class HumanUnitsTest {

    @Test
    void countsTakeDecimalMultipliers() {
        assertThat(HumanUnits.parseCount("62M")).isEqualTo(62_000_000L);
        assertThat(HumanUnits.parseCount("0.8G")).isEqualTo(800_000_000L);
        assertThat(HumanUnits.parseCount("1.5K")).isEqualTo(1_500L);
        assertThat(HumanUnits.parseCount("1.5k")).isEqualTo(1_500L);
        assertThat(HumanUnits.parseCount("2T")).isEqualTo(2_000_000_000_000L);
        assertThat(HumanUnits.parseCount("61100840")).isEqualTo(61_100_840L);
        assertThat(HumanUnits.parseCount("714.2 M")).isEqualTo(714_200_000L);
        assertThat(HumanUnits.parseCount("0")).isZero();
    }

    @Test
    void sizesTakeDecimalUnitsWithBAndBinaryUnitsWithIB() {
        assertThat(HumanUnits.parseBytes("60MB")).isEqualTo(60_000_000L);
        assertThat(HumanUnits.parseBytes("1kB")).isEqualTo(1_000L);
        assertThat(HumanUnits.parseBytes("1KB")).isEqualTo(1_000L);
        assertThat(HumanUnits.parseBytes("1KiB")).isEqualTo(1_024L);
        assertThat(HumanUnits.parseBytes("60MiB")).isEqualTo(62_914_560L);
        assertThat(HumanUnits.parseBytes("1.5GiB")).isEqualTo(1_610_612_736L);
        assertThat(HumanUnits.parseBytes("2TB")).isEqualTo(2_000_000_000_000L);
        assertThat(HumanUnits.parseBytes("1TiB")).isEqualTo(1_099_511_627_776L);
        assertThat(HumanUnits.parseBytes("512")).isEqualTo(512L);
        assertThat(HumanUnits.parseBytes("512B")).isEqualTo(512L);
        assertThat(HumanUnits.parseBytes("784 KiB")).isEqualTo(802_816L);
    }

    @Test
    void aSizeWithoutBIsRefusedBecauseItIsAmbiguous() {
        assertThatThrownBy(() -> HumanUnits.parseBytes("60M"))
                .hasMessage("'60M' has no byte unit; write 60MB for 1000-based or 60MiB for 1024-based bytes");
    }

    @Test
    void aCountWithAByteUnitIsRefused() {
        assertThatThrownBy(() -> HumanUnits.parseCount("60MB"))
                .hasMessage("'60MB' is a size in bytes, but this figure is a count; write it like 62M or 0.8G");
    }

    @Test
    void aValueThatIsNotAWholeNumberIsRefusedNotRounded() {
        assertThatThrownBy(() -> HumanUnits.parseCount("1.2345K")).hasMessage("'1.2345K' is not a whole number (1234.5000)");
        assertThatThrownBy(() -> HumanUnits.parseCount("0.5")).hasMessage("'0.5' is not a whole number (0.5)");
        assertThatThrownBy(() -> HumanUnits.parseBytes("0.1KiB")).hasMessageContaining("is not a whole number (102.4)");
    }

    @Test
    void unitsAreCaseSensitiveExceptKiloBecauseLowerMIsMilliAndLowerBIsBit() {
        assertThatThrownBy(() -> HumanUnits.parseCount("62m")).hasMessageStartingWith("'62m' has an unknown unit 'm'; counts take K, M, G, T");
        assertThatThrownBy(() -> HumanUnits.parseBytes("1.5gib")).hasMessageStartingWith("'1.5gib' has an unknown unit 'gib'; sizes take B, KB");
        assertThatThrownBy(() -> HumanUnits.parseBytes("60Mb")).hasMessageStartingWith("'60Mb' has an unknown unit 'Mb'");
    }

    @Test
    void negativeEmptyExponentAndGarbageAreNotLimits() {
        assertThatThrownBy(() -> HumanUnits.parseCount("-5M")).hasMessage("'-5M' is not a limit (a limit cannot be negative, like 62M, 0.8G, 60MB or 1.5GiB)");
        assertThatThrownBy(() -> HumanUnits.parseCount("")).hasMessageStartingWith("'' is not a limit (write a number and a unit");
        assertThatThrownBy(() -> HumanUnits.parseCount("1e9")).hasMessageStartingWith("'1e9' is not a limit");
        assertThatThrownBy(() -> HumanUnits.parseCount("62,000,000")).hasMessageStartingWith("'62,000,000' is not a limit");
        assertThatThrownBy(() -> HumanUnits.parseCount(".5M")).hasMessageStartingWith("'.5M' is not a limit");
    }

    @Test
    void aLimitBeyondALongIsRefusedRatherThanWrapped() {
        assertThatThrownBy(() -> HumanUnits.parseCount("9300000T")).hasMessage("'9300000T' is too large for a 64-bit count");
        assertThat(HumanUnits.parseCount("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void growthIsAPercentageWithOrWithoutTheSign() {
        assertThat(HumanUnits.parsePercent("2%")).isEqualByComparingTo(new BigDecimal("2"));
        assertThat(HumanUnits.parsePercent("0.5%")).isEqualByComparingTo(new BigDecimal("0.5"));
        assertThat(HumanUnits.parsePercent("10")).isEqualByComparingTo(new BigDecimal("10"));
        assertThatThrownBy(() -> HumanUnits.parsePercent("-1%")).hasMessage("'-1%' is not a growth percentage; write it like 2% or 0.5%");
        assertThatThrownBy(() -> HumanUnits.parsePercent("two")).hasMessageStartingWith("'two' is not a growth percentage");
    }

    @Test
    void bytesInMessagesUseIecNamesSoTheyCannotBeMistakenForDecimalLimits() {
        assertThat(HumanUnits.binaryBytes(802_816)).isEqualTo("784.0 KiB");
        assertThat(HumanUnits.binaryBytes(1_610_612_736L)).isEqualTo("1.5 GiB");
        assertThat(HumanUnits.binaryBytes(1023)).isEqualTo("1023 B");
        assertThat(Figure.ACTIVATION.format(60_000_000)).isEqualTo("60,000,000 B (57.2 MiB)");
        assertThat(Figure.PARAMS.format(61_100_840)).isEqualTo("61,100,840 (61.1 M)");
    }
}
