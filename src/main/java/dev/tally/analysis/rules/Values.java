package dev.tally.analysis.rules;

import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import java.util.List;
import java.util.Optional;

/**
 * Known values of small tensors (shape arithmetic). Values are kept only up to {@link #LIMIT} elements: shape
 * chains are tiny, and a large constant is an activation-sized tensor whose values no shape depends on.
 */
final class Values {
    static final long LIMIT = 1 << 10;

    private Values() {
    }

    static boolean small(Shape shape) {
        return shape.numel() <= LIMIT;
    }

    /** Values as longs (floats truncated toward zero). */
    static long[] longs(ConstData data) {
        long[] result = new long[data.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = data.longAt(i);
        }
        return result;
    }

    static double[] doubles(ConstData data) {
        double[] result = new double[data.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = data.doubleAt(i);
        }
        return result;
    }

    /** A tensor of {@code dtype}; integral types store longs (doubles truncated), floating types doubles. */
    static TensorInfo of(DType dtype, Shape shape, double[] values) {
        if (dtype.isIntegral()) {
            long[] ints = new long[values.length];
            for (int i = 0; i < ints.length; i++) {
                ints[i] = dtype == DType.BOOL ? (values[i] != 0 ? 1 : 0) : (long) values[i];
            }
            return TensorInfo.constant(dtype, shape, ConstData.ofInts(ints));
        }
        return TensorInfo.constant(dtype, shape, ConstData.ofFloats(rounded(dtype, values)));
    }

    /**
     * Values as a tensor of {@code dtype} holds them: a float32 tensor holds each value rounded to the nearest float
     * (PyTorch and ONNX Runtime compute float32 arithmetic in float32, so a scale computed from sizes, such as the
     * R-CNN transform's {@code min_size / min(h, w)}, is that float, not the double). Other types are kept as given.
     */
    static double[] rounded(DType dtype, double[] values) {
        if (dtype != DType.FLOAT32) {
            return values;
        }
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    static TensorInfo of(DType dtype, Shape shape, long[] values) {
        if (dtype.isIntegral()) {
            long[] ints = values;
            if (dtype == DType.BOOL) {
                ints = new long[values.length];
                for (int i = 0; i < ints.length; i++) {
                    ints[i] = values[i] != 0 ? 1 : 0;
                }
            }
            return TensorInfo.constant(dtype, shape, ConstData.ofInts(ints));
        }
        double[] floats = new double[values.length];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = values[i];
        }
        return TensorInfo.constant(dtype, shape, ConstData.ofFloats(floats));
    }

    /** The same values seen with another shape (Reshape, Squeeze, Flatten): row-major order is unchanged. */
    static TensorInfo reshaped(TensorInfo input, DType dtype, Shape shape) {
        Optional<ConstData> data = input.data();
        return data.isPresent() ? TensorInfo.constant(dtype, shape, data.get()) : TensorInfo.of(dtype, shape);
    }

    /** Whether all of {@code inputs} have known values and the result of shape {@code out} is small. */
    static boolean known(List<TensorInfo> inputs, Shape out) {
        if (!small(out)) {
            return false;
        }
        for (TensorInfo input : inputs) {
            if (!input.hasData()) {
                return false;
            }
        }
        return true;
    }

    /** Row-major strides. */
    static long[] strides(Shape shape) {
        long[] strides = new long[shape.rank()];
        long stride = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape.dims().get(i);
        }
        return strides;
    }

    /**
     * For every element of {@code out} (row-major), the flat index into a tensor whose strides as seen from
     * {@code out} are {@code inStrides}. One loop for every rank.
     */
    static int[] gatherIndex(Shape out, long[] inStrides) {
        int n = (int) out.numel();
        int[] index = new int[n];
        long[] dims = out.toArray();
        long[] counter = new long[dims.length];
        long flat = 0;
        for (int e = 0; e < n; e++) {
            index[e] = (int) flat;
            for (int a = dims.length - 1; a >= 0; a--) {
                counter[a]++;
                flat += inStrides[a];
                if (counter[a] < dims[a]) {
                    break;
                }
                flat -= inStrides[a] * counter[a];
                counter[a] = 0;
            }
        }
        return index;
    }

    /** The tensor whose element e is element {@code index[e]} of {@code input}'s values (Gather, Slice, Transpose, ...). */
    static TensorInfo take(TensorInfo input, Shape out, int[] index) {
        ConstData data = input.data().get();
        if (data.isIntegral()) {
            long[] values = new long[index.length];
            for (int e = 0; e < index.length; e++) {
                values[e] = data.longAt(index[e]);
            }
            return TensorInfo.constant(input.dtype(), out, ConstData.ofInts(values));
        }
        double[] values = new double[index.length];
        for (int e = 0; e < index.length; e++) {
            values[e] = data.doubleAt(index[e]);
        }
        return TensorInfo.constant(input.dtype(), out, ConstData.ofFloats(values));
    }

    /** Whether {@code input}'s values are known and a result of shape {@code out} is small enough to track. */
    static boolean known(TensorInfo input, Shape out) {
        return input.hasData() && small(out);
    }
}
