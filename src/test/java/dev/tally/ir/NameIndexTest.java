package dev.tally.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NameIndexTest {
    @Test
    void eachDistinctNameGetsTheNextIdAndKeepsIt() {
        NameIndex index = new NameIndex(2);
        assertThat(index.add("x")).isZero();
        assertThat(index.add("t0")).isEqualTo(1);
        assertThat(index.add("x")).isZero();
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.id("t0")).isEqualTo(1);
        assertThat(index.id("t1")).isEqualTo(-1);
        assertThat(index.name(1)).isEqualTo("t0");
        assertThatThrownBy(() -> index.name(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void growingPastTheExpectedSizeKeepsEveryIdAsAMapWould() {
        NameIndex index = new NameIndex(4);
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            String name = "n" + (i * 7919 % 50_000); // every name twice
            expected.putIfAbsent(name, expected.size());
            assertThat(index.add(name)).isEqualTo(expected.get(name));
        }
        assertThat(index.size()).isEqualTo(50_000);
        expected.forEach((name, id) -> assertThat(index.id(name)).isEqualTo(id));
        assertThat(index.id("")).isEqualTo(-1);
    }

    @Test
    void namesSharingAStringHashCodeStillGetTheirOwnIds() {
        // "Aa" and "BB" have the same String.hashCode, and so does every string made of n of them: 2^n colliding names.
        NameIndex index = new NameIndex(16);
        int count = 1 << 14;
        for (int i = 0; i < count; i++) {
            StringBuilder name = new StringBuilder();
            for (int bit = 0; bit < 14; bit++) {
                name.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            assertThat(index.add(name.toString())).isEqualTo(i);
        }
        assertThat(index.size()).isEqualTo(count);
    }
}
