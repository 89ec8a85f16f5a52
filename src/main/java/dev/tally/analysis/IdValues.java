package dev.tally.analysis;

import dev.tally.ir.ValueIds;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * What the shape pass knows of each value of one graph, in an array by the graph's value id ({@link ValueIds}) rather
 * than a hash map of names: the pass reads a node's inputs and writes its outputs by position, and a million-node graph
 * holds no million map entries (issue 14's chain: 32 MB of entries the collector copied, then dropped). Rules still
 * look values up by name through the {@link Map} view; a name the graph does not use goes to a small map of its own.
 * A null value is never held: putting one removes the name, so {@code get} returning null means "not known".
 */
final class IdValues extends AbstractMap<String, TensorInfo> {
    private final ValueIds ids;
    private final TensorInfo[] byId;
    private final Map<String, TensorInfo> others;
    private final boolean writable;
    private int known;

    IdValues(ValueIds ids) {
        this.ids = ids;
        this.byId = new TensorInfo[ids.size()];
        this.others = new HashMap<>();
        this.writable = true;
    }

    private IdValues(IdValues values) {
        this.ids = values.ids;
        this.byId = values.byId;
        this.others = values.others;
        this.writable = false;
        this.known = values.known;
    }

    /** A view that refuses every change, for the shape pass' result once the pass has run. */
    IdValues readOnly() {
        return new IdValues(this);
    }

    /** The ids the values are kept by. */
    ValueIds ids() {
        return ids;
    }

    /** What is known of value {@code id}; null when nothing is, or for an omitted input ({@link ValueIds#OMITTED}). */
    TensorInfo get(int id) {
        return id < 0 ? null : byId[id];
    }

    void put(int id, TensorInfo value) {
        if (!writable) {
            throw new UnsupportedOperationException("The shape pass' values are read-only once it has run.");
        }
        if (byId[id] == null) {
            known++;
        }
        byId[id] = value;
        if (value == null) {
            known--;
        }
    }

    @Override
    public TensorInfo get(Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        int id = ids.id(name);
        return id >= 0 ? byId[id] : others.get(name);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public TensorInfo put(String key, TensorInfo value) {
        int id = ids.id(key);
        if (id >= 0) {
            TensorInfo old = byId[id];
            put(id, value);
            return old;
        }
        if (!writable) {
            throw new UnsupportedOperationException("The shape pass' values are read-only once it has run.");
        }
        TensorInfo old = value == null ? others.remove(key) : others.put(key, value);
        known += (old == null ? 0 : -1) + (value == null ? 0 : 1);
        return old;
    }

    @Override
    public TensorInfo remove(Object key) {
        return key instanceof String name ? put(name, null) : null;
    }

    @Override
    public int size() {
        return known;
    }

    @Override
    public Set<Map.Entry<String, TensorInfo>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return known;
            }

            @Override
            public Iterator<Map.Entry<String, TensorInfo>> iterator() {
                Iterator<Map.Entry<String, TensorInfo>> rest = others.entrySet().iterator();
                return new Iterator<>() {
                    private int next = advance(0);

                    private int advance(int from) {
                        while (from < byId.length && byId[from] == null) {
                            from++;
                        }
                        return from;
                    }

                    @Override
                    public boolean hasNext() {
                        return next < byId.length || rest.hasNext();
                    }

                    @Override
                    public Map.Entry<String, TensorInfo> next() {
                        if (next < byId.length) {
                            Map.Entry<String, TensorInfo> entry = Map.entry(ids.name(next), byId[next]);
                            next = advance(next + 1);
                            return entry;
                        }
                        if (!rest.hasNext()) {
                            throw new NoSuchElementException();
                        }
                        return rest.next();
                    }
                };
            }
        };
    }
}
