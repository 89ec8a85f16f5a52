package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void exactIntegersGetThousandsSeparatorsWhateverTheLocale() {
        assertThat(Units.exact(0)).isEqualTo("0");
        assertThat(Units.exact(999)).isEqualTo("999");
        assertThat(Units.exact(1000)).isEqualTo("1,000");
        assertThat(Units.exact(61_100_840)).isEqualTo("61,100,840");
        assertThat(Units.exact(-1_234_567)).isEqualTo("-1,234,567");
        assertThat(Units.exact(Long.MAX_VALUE)).isEqualTo("9,223,372,036,854,775,807");
    }

    @Test
    void countsReadInDecimalUnitsWithOneDecimal() {
        assertThat(Units.count(61_100_840)).isEqualTo("61.1 M");
        assertThat(Units.count(714_188_480)).isEqualTo("714.2 M");
        assertThat(Units.count(15_470_264_320L)).isEqualTo("15.5 G");
        assertThat(Units.count(999)).isEqualTo("999");
        assertThat(Units.count(1_000)).isEqualTo("1.0 K");
        assertThat(Units.count(1_050)).isEqualTo("1.1 K");
    }

    @Test
    void aCountThatRoundsUpToTheNextUnitMovesToIt() {
        assertThat(Units.count(999_960)).isEqualTo("1.0 M");
        assertThat(Units.count(999_949)).isEqualTo("999.9 K");
    }

    @Test
    void bytesReadInBinaryUnitsUnderTheirIecNamesRoundedUp() {
        assertThat(Units.bytes(200_704L * 4)).isEqualTo("784.0 KiB");
        assertThat(Units.bytes(512)).isEqualTo("512 B");
        assertThat(Units.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(Units.bytes(1025)).isEqualTo("1.1 KiB");
        assertThat(Units.bytes(244_403_360)).isEqualTo("233.1 MiB");
        assertThat(Units.bytes(4_709_280)).isEqualTo("4.5 MiB");
        assertThat(Units.bytes(1024 * 1024 - 1)).isEqualTo("1.0 MiB");
        assertThat(Units.bytes(-1025)).isEqualTo("-1.1 KiB");
        assertThat(Units.bytes(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
    }
}
