package dev.tally.ir;

/** One dimension of a declared tensor type: a known size or a named symbol such as {@code batch}. */
public sealed interface Dim permits Dim.Known, Dim.Symbol {

    /** A dimension whose size is known. */
    record Known(long value) implements Dim {
        public Known {
            if (value < 0) {
                throw new IllegalArgumentException("A dimension cannot be negative: " + value + ".");
            }
        }

        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** A dimension known only by name (ONNX {@code dim_param}); an empty name means unnamed. */
    record Symbol(String name) implements Dim {
        public Symbol {
            name = name == null ? "" : name;
        }

        @Override
        public String toString() {
            return name.isEmpty() ? "?" : name;
        }
    }

    static Dim of(long value) {
        return new Known(value);
    }

    static Dim symbol(String name) {
        return new Symbol(name);
    }
}
