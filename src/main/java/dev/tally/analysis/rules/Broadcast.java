package dev.tally.analysis.rules;

import dev.tally.ir.Shape;
import java.util.List;

/** Numpy broadcasting (ONNX multidirectional broadcasting): align shapes at the right; sizes equal or one is 1. */
final class Broadcast {
    private Broadcast() {
    }

    static Shape shape(List<Shape> shapes) {
        int rank = 0;
        for (Shape s : shapes) {
            rank = Math.max(rank, s.rank());
        }
        long[] out = new long[rank];
        java.util.Arrays.fill(out, 1);
        for (Shape s : shapes) {
            int offset = rank - s.rank();
            for (int i = 0; i < s.rank(); i++) {
                long d = s.dims().get(i);
                long o = out[offset + i];
                if (d != o && d != 1 && o != 1) {
                    throw new IllegalArgumentException("inputs of shapes " + join(shapes) + " do not broadcast (axis "
                            + (offset + i - rank) + " has sizes " + o + " and " + d + ")");
                }
                // A zero-size axis broadcasts against 1 to zero, as in numpy.
                out[offset + i] = o == 1 ? d : o;
            }
        }
        return Shape.of(out);
    }

    static Shape shape(Shape a, Shape b) {
        return shape(List.of(a, b));
    }

    /** Row-major strides of {@code in} as seen from {@code out}: 0 on broadcast axes, so index math is one loop. */
    static long[] stridesInto(Shape in, Shape out) {
        long[] strides = new long[out.rank()];
        long stride = 1;
        int offset = out.rank() - in.rank();
        for (int i = in.rank() - 1; i >= 0; i--) {
            long d = in.dims().get(i);
            strides[offset + i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        return strides;
    }

    private static String join(List<Shape> shapes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < shapes.size(); i++) {
            text.append(i == 0 ? "" : i == shapes.size() - 1 ? " and " : ", ").append(shapes.get(i));
        }
        return text.toString();
    }
}
