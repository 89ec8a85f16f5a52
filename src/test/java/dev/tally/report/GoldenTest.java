package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoldenTest {

    @Test
    void aChangedLineShowsAsRemovedThenAdded() {
        assertThat(Golden.diff("a\nb\nc\n", "a\nx\nc\n")).isEqualTo("-2: b\n+2: x");
    }

    @Test
    void aLostCarriageReturnIsVisible() {
        assertThat(Golden.diff("a,b\r\n", "a,b\n")).isEqualTo("-1: a,b\\r\n+1: a,b");
    }

    @Test
    void onlyAFinalNewlineDifferingIsSaidInWords() {
        assertThat(Golden.diff("a\n", "a")).isEqualTo("(only line endings or a final newline differ)");
    }
}
