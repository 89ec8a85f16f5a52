package dev.tally.report;

import dev.tally.ir.Shape;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * The layer rows of a {@link Summary} held by column: one array per figure instead of a {@link LayerSummary} (and a
 * {@link Totals}) per row, and a figure that is zero in every row (params of a graph without weights) holds no array
 * at all. Names, types and shapes are the analysis's own objects, shared, never copied. Read as a list it makes each
 * {@link LayerSummary} when asked, so the API and every renderer see rows as before.
 *
 * <p>Why: issue 14's one-million-node chain held about 1.1 GB of row objects (LayerSummary 104 MB, Totals 96 MB, the
 * builder's rows 64 MB and their maps); these columns hold its rows in about 40 MB.
 */
public final class LayerTable extends AbstractList<LayerSummary> implements RandomAccess {
    private final int size;
    private final String[] names;
    private final String[] types;
    private final Shape[] shapes;
    private final long[] params;
    private final long[] buffers;
    private final long[] paramBytes;
    private final long[] macs;
    private final long[] flops;
    private final long[] ops;
    private final long[] activationBytes;
    private final long[] frozenParams;
    private final int[] nodes;
    private final int[] uncountedNodes;
    private final int[] dataDependentNodes;

    private LayerTable(Builder b) {
        size = b.size;
        names = trim(b.names, size);
        types = trim(b.types, size);
        shapes = trim(b.shapes, size);
        params = trim(b.params, size);
        buffers = trim(b.buffers, size);
        paramBytes = trim(b.paramBytes, size);
        macs = trim(b.macs, size);
        flops = trim(b.flops, size);
        ops = trim(b.ops, size);
        activationBytes = trim(b.activationBytes, size);
        frozenParams = trim(b.frozenParams, size);
        nodes = trim(b.nodes, size);
        uncountedNodes = trim(b.uncountedNodes, size);
        dataDependentNodes = trim(b.dataDependentNodes, size);
        for (int i = 0; i < size; i++) {
            // The row checks of LayerSummary, once, so that a bad row fails where it is built (without making the row).
            LayerSummary.check(names[i], at(params, i), at(nodes, i), at(uncountedNodes, i), at(frozenParams, i),
                    at(dataDependentNodes, i));
        }
    }

    /** {@code rows} by column (rows read from JSON or made by hand): as a list, equal to {@code rows}. */
    public static LayerTable of(java.util.List<LayerSummary> rows) {
        if (rows instanceof LayerTable table) {
            return table;
        }
        Builder b = new Builder(rows.size());
        for (LayerSummary layer : rows) {
            int row = b.add(layer.name());
            b.type(row, layer.type());
            b.shape(row, layer.outputShape().orElse(null));
            b.add(row, new Totals(layer.params(), layer.buffers(), layer.paramBytes(), layer.macs(), layer.flops(),
                    layer.ops(), layer.activationBytes(), layer.frozenParams()));
            b.nodes = b.add(b.nodes, row, layer.nodes());
            b.uncountedNodes = b.add(b.uncountedNodes, row, layer.uncountedNodes());
            b.dataDependentNodes = b.add(b.dataDependentNodes, row, layer.dataDependentNodes());
        }
        return b.build();
    }

    /** A column cut to its rows when much of it is unused; a few spare entries are cheaper than a copy. */
    private static long[] trim(long[] column, int size) {
        return column == null || column.length <= spare(size) ? column : Arrays.copyOf(column, size);
    }

    private static int[] trim(int[] column, int size) {
        return column == null || column.length <= spare(size) ? column : Arrays.copyOf(column, size);
    }

    private static <T> T[] trim(T[] column, int size) {
        return column == null || column.length <= spare(size) ? column : Arrays.copyOf(column, size);
    }

    private static int spare(int size) {
        return size + size / 8 + 16;
    }

    private static long at(long[] column, int i) {
        return column == null ? 0 : column[i];
    }

    private static int at(int[] column, int i) {
        return column == null ? 0 : column[i];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public LayerSummary get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("Layer " + i + " of " + size + ".");
        }
        return new LayerSummary(names[i], types[i], Optional.ofNullable(shapes == null ? null : shapes[i]), at(params, i),
                at(buffers, i), at(paramBytes, i), at(macs, i), at(flops, i), at(ops, i), at(activationBytes, i),
                at(nodes, i), at(uncountedNodes, i), at(frozenParams, i), at(dataDependentNodes, i));
    }

    // Row i's fields without making the row: get(i) makes a LayerSummary and an Optional per call, and the text table
    // asks for every row twice (its widths, then its text).

    /** Row {@code i}'s name. */
    public String name(int i) {
        return names[Objects.checkIndex(i, size)];
    }

    /** Row {@code i}'s type. */
    public String type(int i) {
        return types[Objects.checkIndex(i, size)];
    }

    /** Row {@code i}'s output shape; null when it has none. */
    public Shape shape(int i) {
        return shapes == null ? null : shapes[Objects.checkIndex(i, size)];
    }

    public long params(int i) {
        return at(params, Objects.checkIndex(i, size));
    }

    /** Row {@code i}'s count under {@code convention}, as {@link LayerSummary#count} gives it. */
    public long count(int i, dev.tally.analysis.Convention convention) {
        Objects.checkIndex(i, size);
        return switch (convention) {
            case MACS -> at(macs, i);
            case FLOPS -> at(flops, i);
            case OPS -> at(ops, i);
        };
    }

    public long activationBytes(int i) {
        return at(activationBytes, Objects.checkIndex(i, size));
    }

    public int nodes(int i) {
        return at(nodes, Objects.checkIndex(i, size));
    }

    public long macs(int i) {
        return at(macs, Objects.checkIndex(i, size));
    }

    public long flops(int i) {
        return at(flops, Objects.checkIndex(i, size));
    }

    public long ops(int i) {
        return at(ops, Objects.checkIndex(i, size));
    }

    public long buffers(int i) {
        return at(buffers, Objects.checkIndex(i, size));
    }

    public long paramBytes(int i) {
        return at(paramBytes, Objects.checkIndex(i, size));
    }

    public long frozenParams(int i) {
        return at(frozenParams, Objects.checkIndex(i, size));
    }

    public int uncountedNodes(int i) {
        return at(uncountedNodes, Objects.checkIndex(i, size));
    }

    public int dataDependentNodes(int i) {
        return at(dataDependentNodes, Objects.checkIndex(i, size));
    }

    /** {@link LayerSummary#isComplete()} of row {@code i}. */
    public boolean isComplete(int i) {
        return at(uncountedNodes, Objects.checkIndex(i, size)) == 0;
    }

    /** {@link LayerSummary#isDataDependent()} of row {@code i}. */
    public boolean isDataDependent(int i) {
        return at(dataDependentNodes, Objects.checkIndex(i, size)) > 0;
    }

    /** Whether some row has an uncounted node ({@link LayerSummary#isComplete()} false), read from the column. */
    public boolean anyIncomplete() {
        return any(uncountedNodes);
    }

    /** Whether some row is data-dependent ({@link LayerSummary#isDataDependent()}), read from the column. */
    public boolean anyDataDependent() {
        return any(dataDependentNodes);
    }

    private boolean any(int[] column) {
        for (int i = 0; column != null && i < size; i++) {
            if (column[i] > 0) {
                return true;
            }
        }
        return false;
    }

    /** The sum of the rows' figures, column by column; an overflow throws {@link ArithmeticException}. */
    public Totals sums() {
        return new Totals(sum(params), sum(buffers), sum(paramBytes), sum(macs), sum(flops), sum(ops),
                sum(activationBytes), sum(frozenParams));
    }

    private long sum(long[] column) {
        long total = 0;
        if (column != null) {
            for (int i = 0; i < size; i++) {
                total = Math.addExact(total, column[i]);
            }
        }
        return total;
    }

    /** Rows added in order, each one updated while its nodes are added. */
    public static final class Builder {
        private int size;
        private String[] names;
        private String[] types;
        private Shape[] shapes;
        private long[] params;
        private long[] buffers;
        private long[] paramBytes;
        private long[] macs;
        private long[] flops;
        private long[] ops;
        private long[] activationBytes;
        private long[] frozenParams;
        private int[] nodes;
        private int[] uncountedNodes;
        private int[] dataDependentNodes;

        /** @param expected how many rows are likely (the node count): the columns start that long */
        public Builder(int expected) {
            int capacity = Math.max(8, expected);
            names = new String[capacity];
            types = new String[capacity];
        }

        public int size() {
            return size;
        }

        /** Adds an empty row and returns its index. */
        public int add(String name) {
            if (size == names.length) {
                int capacity = Math.max(8, (int) Math.min(Integer.MAX_VALUE - 8, names.length * 3L / 2 + 1));
                names = Arrays.copyOf(names, capacity);
                types = Arrays.copyOf(types, capacity);
                shapes = shapes == null ? null : Arrays.copyOf(shapes, capacity);
                params = grow(params, capacity);
                buffers = grow(buffers, capacity);
                paramBytes = grow(paramBytes, capacity);
                macs = grow(macs, capacity);
                flops = grow(flops, capacity);
                ops = grow(ops, capacity);
                activationBytes = grow(activationBytes, capacity);
                frozenParams = grow(frozenParams, capacity);
                nodes = grow(nodes, capacity);
                uncountedNodes = grow(uncountedNodes, capacity);
                dataDependentNodes = grow(dataDependentNodes, capacity);
            }
            names[size] = name;
            types[size] = "-";
            return size++;
        }

        private static long[] grow(long[] column, int capacity) {
            return column == null ? null : Arrays.copyOf(column, capacity);
        }

        private static int[] grow(int[] column, int capacity) {
            return column == null ? null : Arrays.copyOf(column, capacity);
        }

        public void name(int row, String name) {
            names[row] = name;
        }

        public String name(int row) {
            return names[row];
        }

        public void type(int row, String type) {
            types[row] = type;
        }

        /** The row's output shape; null when unknown. */
        public void shape(int row, Shape shape) {
            if (shape != null && shapes == null) {
                shapes = new Shape[names.length];
            }
            if (shapes != null) {
                shapes[row] = shape;
            }
        }

        /** Adds {@code figures} (params to frozen params; the whole-model memory figures are not row figures). */
        public void add(int row, Totals figures) {
            params = add(params, row, figures.params());
            buffers = add(buffers, row, figures.buffers());
            paramBytes = add(paramBytes, row, figures.paramBytes());
            macs = add(macs, row, figures.macs());
            flops = add(flops, row, figures.flops());
            ops = add(ops, row, figures.ops());
            activationBytes = add(activationBytes, row, figures.activationBytes());
            frozenParams = add(frozenParams, row, figures.frozenParams());
        }

        /** Counts one more node of the row, and whether it is uncounted and data-dependent. */
        public void node(int row, boolean uncounted, boolean dataDependent) {
            nodes = add(nodes, row, 1);
            uncountedNodes = add(uncountedNodes, row, uncounted ? 1 : 0);
            dataDependentNodes = add(dataDependentNodes, row, dataDependent ? 1 : 0);
        }

        /** A column exists from its first non-zero value on. */
        private long[] add(long[] column, int row, long value) {
            if (value == 0) {
                return column;
            }
            long[] values = column == null ? new long[names.length] : column;
            values[row] = Math.addExact(values[row], value);
            return values;
        }

        private int[] add(int[] column, int row, int value) {
            if (value == 0) {
                return column;
            }
            int[] values = column == null ? new int[names.length] : column;
            values[row] = Math.addExact(values[row], value);
            return values;
        }

        public LayerTable build() {
            return new LayerTable(this);
        }
    }
}
