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

    @Test
    void addingAllAtOnceGivesWhatAddingOneByOneGives() {
        // The oracle is a LinkedHashMap in add order (putIfAbsent), not the index's own one-by-one add.
        java.util.Random random = new java.util.Random(14);
        for (int round = 0; round < 24; round++) {
            NameIndex index = new NameIndex(random.nextInt(64) + 1);
            Map<String, Integer> expected = new java.util.LinkedHashMap<>();
            int batches = 1 + random.nextInt(3);
            for (int batch = 0; batch < batches; batch++) {
                // Sizes on both sides of the bulk threshold; names drawn from a pool small enough, in some rounds, that
                // names repeat within a batch and across batches, and names of earlier batches come back.
                int count = random.nextBoolean() ? random.nextInt(5000) : 4096 + random.nextInt(60_000);
                int pool = round % 3 == 0 ? count * 4 + 1 : round % 3 == 1 ? count / 3 + 1 : Integer.MAX_VALUE;
                String[] names = new String[count + 3];
                for (int j = 0; j < count; j++) {
                    names[j] = (round % 2 == 0 ? "/layers." : "t") + random.nextInt(pool);
                }
                int[] ids = index.addAll(names, count);
                assertThat(ids).hasSize(count);
                for (int j = 0; j < count; j++) {
                    expected.putIfAbsent(names[j], expected.size());
                    assertThat(ids[j]).as("round %d, name %d", round, j).isEqualTo(expected.get(names[j]));
                }
                assertThat(index.size()).isEqualTo(expected.size());
            }
            int id = 0;
            for (Map.Entry<String, Integer> entry : expected.entrySet()) {
                assertThat(index.id(entry.getKey())).isEqualTo(entry.getValue());
                assertThat(index.name(id++)).isEqualTo(entry.getKey());
            }
            assertThat(index.id("never added")).isEqualTo(-1);
            assertThat(index.add("after")).isEqualTo(expected.size());
        }
    }

    @Test
    void addingAllAtOnceKeepsCollidingNamesApart() {
        NameIndex index = new NameIndex(16);
        int count = 1 << 13;
        String[] names = new String[2 * count];
        for (int i = 0; i < 2 * count; i++) {
            StringBuilder name = new StringBuilder();
            for (int bit = 0; bit < 13; bit++) {
                name.append(((i % count) >> bit & 1) == 0 ? "Aa" : "BB");
            }
            names[i] = name.toString(); // each name twice, the second time count places later
        }
        int[] ids = index.addAll(names, names.length);
        for (int i = 0; i < 2 * count; i++) {
            assertThat(ids[i]).isEqualTo(i % count);
        }
        assertThat(index.size()).isEqualTo(count);
    }
}
