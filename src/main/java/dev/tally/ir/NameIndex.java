package dev.tally.ir;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dense ids for names: each distinct name gets the next int (0, 1, 2, ...) when it is first added, so a pass keeps what
 * it knows of a value or a layer in arrays by id instead of in a map keyed by name. About 20 bytes a name (the name
 * array and an open-addressed table of hashes and ids) against 40 to 60 for a {@code HashMap} entry with a boxed value: issue 14's
 * one-million-node chain had seven such million-entry maps, and the serial collector keeps every dead one resident.
 *
 * <p>Names come from model files, which may be hostile: they are hashed with a seed chosen per index rather than by
 * {@link String#hashCode}, whose collisions a file can spell at will (HashMap defends against them with trees), so
 * probe sequences stay short whatever the names.
 */
public final class NameIndex {
    private static final AtomicInteger SEEDS = new AtomicInteger((int) System.nanoTime());

    private final int seed = SEEDS.getAndAdd(0x61c88647) | 1;
    private String[] names;
    /**
     * Open addressing, linear probing: at each place the hash of the name there in the high 32 bits and its id + 1 in
     * the low 32, 0 for a free place. One array, so a probe reads one cache line where a table of ids beside a table
     * of hashes read two (issue 14's million-node chain probes about 8 million times per summary, most of them misses
     * in tables of 16 MB); the hash is compared before the name, so a probe rarely reads a name.
     */
    private long[] table;
    private int size;

    /** @param expected how many names are expected, so the tables are sized once */
    public NameIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, (int) Math.min(1 << 29, expected * 2L)) - 1) << 1;
        names = new String[Math.max(4, Math.min(expected, 1 << 29))];
        table = new long[capacity];
    }

    public int size() {
        return size;
    }

    /** The name with id {@code id}. */
    public String name(int id) {
        return names[java.util.Objects.checkIndex(id, size)];
    }

    /** The id of {@code name}; -1 when it was never added. */
    public int id(String name) {
        int hash = hash(name);
        int mask = table.length - 1;
        for (int at = hash & mask; ; at = (at + 1) & mask) {
            long entry = table[at];
            if (entry == 0) {
                return -1;
            }
            if ((int) (entry >>> 32) == hash && names[(int) entry - 1].equals(name)) {
                return (int) entry - 1;
            }
        }
    }

    /** The id of {@code name}, given the next id when it is new (then {@link #size()} grows by one). */
    public int add(String name) {
        int hash = hash(name);
        int mask = table.length - 1;
        int at = hash & mask;
        for (long entry = table[at]; entry != 0; entry = table[at]) {
            if ((int) (entry >>> 32) == hash && names[(int) entry - 1].equals(name)) {
                return (int) entry - 1;
            }
            at = (at + 1) & mask;
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, (int) Math.min(Integer.MAX_VALUE - 8, names.length * 2L));
        }
        names[size] = name;
        table[at] = (long) hash << 32 | ++size;
        if (size * 2L > table.length) {
            grow();
        }
        return size - 1;
    }

    /** Below this many names {@link #addAll} adds them one at a time: sorting pays only when the table is large. */
    private static final int BULK = 4096;
    /** log2 of the table slots one region of {@link #addAll} covers: 1,024 slots, 8 KB, stay in the core's cache. */
    private static final int REGION_SLOTS_LOG2 = 10;

    /**
     * The ids of {@code names[0..count)}, the same as calling {@link #add} on each in turn (the same ids, the same
     * {@link #size()} after, the same answers from {@link #id} and {@link #name}), in fewer cache misses: one add
     * lands at a random place of a table that for a million names is 16 MB, while here the names are first grouped by
     * the region of the table they land in, then added region by region in order. On issue 14's million-node chain
     * this halved the time of the loader's two million-name indexes.
     */
    public int[] addAll(String[] names, int count) {
        java.util.Objects.checkFromIndexSize(0, count, names.length);
        int[] ids = new int[count];
        if (count < BULK) {
            for (int j = 0; j < count; j++) {
                ids[j] = add(names[j]);
            }
            return ids;
        }
        int before = size;
        // Room for every name being new, so that the table does not grow (and move its places) while filling it.
        while ((before + (long) count) * 2 > table.length) {
            grow();
        }
        if (before + count > this.names.length) {
            this.names = Arrays.copyOf(this.names, before + count);
        }
        int[] hashes = new int[count];
        for (int j = 0; j < count; j++) {
            hashes[j] = hash(names[j]);
        }
        int mask = table.length - 1;
        int shift = Math.max(0, Integer.numberOfTrailingZeros(table.length) - REGION_SLOTS_LOG2);
        long[] byRegion = byRegion(hashes, mask, shift);
        // A new name's place holds before + j + 1 until its id is known (ids go in the order of the names, not of the
        // regions); found[j] is then the id of an older name, or -2 - j' for a repeat of names[j'], j' < j, or -1.
        int[] found = ids;
        for (int t = 0; t < count; t++) {
            int j = (int) byRegion[t];
            int hash = (int) (byRegion[t] >>> 32);
            int at = hash & mask;
            found[j] = -1;
            for (long entry = table[at]; entry != 0; entry = table[at]) {
                if ((int) (entry >>> 32) == hash) {
                    int held = (int) entry - 1;
                    if (held < before ? this.names[held].equals(names[j]) : names[held - before].equals(names[j])) {
                        found[j] = held < before ? held : -2 - (held - before);
                        break;
                    }
                }
                at = (at + 1) & mask;
            }
            if (found[j] == -1) {
                table[at] = (long) hash << 32 | (before + j + 1L);
            }
        }
        boolean inPlace = true; // every name new and distinct: each place already holds its id + 1
        for (int j = 0; j < count; j++) {
            int id = found[j];
            if (id == -1) {
                id = size++;
                this.names[id] = names[j];
                inPlace &= id == before + j;
            } else if (id <= -2) {
                id = ids[-2 - id];
                inPlace = false;
            } else {
                inPlace = false;
            }
            ids[j] = id;
        }
        if (!inPlace) {
            for (int at = 0; at < table.length; at++) {
                long entry = table[at];
                int held = (int) entry - 1;
                if (entry != 0 && held >= before) {
                    table[at] = entry >>> 32 << 32 | (ids[held - before] + 1L);
                }
            }
        }
        return ids;
    }

    /**
     * Each position j as {@code hashes[j] << 32 | j}, ordered by the region of the table its hash lands in, in position
     * order within one: read in this order, the table is read region by region and the hashes in sequence.
     */
    private static long[] byRegion(int[] hashes, int mask, int shift) {
        int regions = (mask >>> shift) + 1;
        int[] start = new int[regions + 1];
        for (int hash : hashes) {
            start[((hash & mask) >>> shift) + 1]++;
        }
        for (int r = 0; r < regions; r++) {
            start[r + 1] += start[r];
        }
        long[] ordered = new long[hashes.length];
        for (int j = 0; j < hashes.length; j++) {
            ordered[start[(hashes[j] & mask) >>> shift]++] = (long) hashes[j] << 32 | j;
        }
        return ordered;
    }

    private void grow() {
        long[] larger = new long[Math.multiplyExact(table.length, 2)];
        int mask = larger.length - 1;
        for (long entry : table) {
            if (entry == 0) {
                continue;
            }
            int at = (int) (entry >>> 32) & mask;
            while (larger[at] != 0) {
                at = (at + 1) & mask;
            }
            larger[at] = entry;
        }
        table = larger;
    }

    /** FNV-1a over the chars from a seeded start, then a final mix so the low bits depend on every char. */
    private int hash(String name) {
        int h = seed;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }
}
