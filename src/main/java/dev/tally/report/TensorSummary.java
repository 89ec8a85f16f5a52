package dev.tally.report;

import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.Optional;

/**
 * A graph input or output as the analysis resolved it.
 *
 * @param shape  empty for an output that an unsupported op kept from resolving
 * @param dtype  empty with the shape
 * @param origin where an input's shape came from ({@code model}, {@code --input}, {@code batch defaulted to 1});
 *               empty for outputs
 */
public record TensorSummary(String name, Optional<Shape> shape, Optional<DType> dtype, String origin) {
    public TensorSummary {
        origin = origin == null ? "" : origin;
    }
}
