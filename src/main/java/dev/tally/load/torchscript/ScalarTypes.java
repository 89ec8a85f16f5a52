package dev.tally.load.torchscript;

import dev.tally.ir.DType;
import java.util.Optional;

/**
 * PyTorch's ScalarType codes ({@code c10/core/ScalarType.h}), which TorchScript code passes as plain integers
 * ({@code torch.to(x, 5)} is {@code x.half()}, {@code torch.quantize_per_tensor(x, s, z, 13)} makes quint8), and the
 * ONNX data type code of the same element type, which the shared {@code Cast} rule reads.
 */
final class ScalarTypes {
    private ScalarTypes() {
    }

    /** The element type of ScalarType {@code code}; empty for codes Tally has no type for (complex32, quint4x2). */
    static Optional<DType> dtype(long code) {
        return Optional.ofNullable(switch ((int) code) {
            case 0 -> DType.UINT8;
            case 1 -> DType.INT8;
            case 2 -> DType.INT16;
            case 3 -> DType.INT32;
            case 4 -> DType.INT64;
            case 5 -> DType.FLOAT16;
            case 6 -> DType.FLOAT32;
            case 7 -> DType.FLOAT64;
            case 9 -> DType.COMPLEX64;
            case 10 -> DType.COMPLEX128;
            case 11 -> DType.BOOL;
            case 12 -> DType.QINT8;
            case 13 -> DType.QUINT8;
            case 14 -> DType.QINT32;
            case 15 -> DType.BFLOAT16;
            default -> null;
        });
    }

    /** The ScalarType code of {@code dtype}, -1 when PyTorch has none (the unsigned types above uint8). */
    static long code(DType dtype) {
        for (int code = 0; code <= 15; code++) {
            if (dtype(code).orElse(null) == dtype) {
                return code;
            }
        }
        return -1;
    }

    /** The ONNX {@code TensorProto.DataType} code of {@code dtype}; empty for the quantized types, which ONNX lacks. */
    static Optional<Long> onnxCode(DType dtype) {
        return Optional.ofNullable(switch (dtype) {
            case FLOAT32 -> 1L;
            case UINT8 -> 2L;
            case INT8 -> 3L;
            case UINT16 -> 4L;
            case INT16 -> 5L;
            case INT32 -> 6L;
            case INT64 -> 7L;
            case BOOL -> 9L;
            case FLOAT16 -> 10L;
            case FLOAT64 -> 11L;
            case UINT32 -> 12L;
            case UINT64 -> 13L;
            case COMPLEX64 -> 14L;
            case COMPLEX128 -> 15L;
            case BFLOAT16 -> 16L;
            default -> null;
        });
    }
}
