package dev.tally.ir;

import java.util.List;
import java.util.Optional;

/** A declared tensor type: element type and dims, some of which may be symbolic. */
public record TensorType(DType dtype, List<Dim> dims) {
    public TensorType {
        dims = List.copyOf(dims);
    }

    /** The dims as sizes, when every one is known. */
    public Optional<Shape> knownShape() {
        long[] sizes = new long[dims.size()];
        for (int i = 0; i < sizes.length; i++) {
            if (!(dims.get(i) instanceof Dim.Known known)) {
                return Optional.empty();
            }
            sizes[i] = known.value();
        }
        return Optional.of(Shape.of(sizes));
    }

    @Override
    public String toString() {
        return dtype.displayName() + dims;
    }
}
