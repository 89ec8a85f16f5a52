package dev.tally.load.onnx;

import com.google.protobuf.ByteString;
import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.load.onnx.proto.Onnx.StringStringEntryProto;
import dev.tally.load.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/** Element types, shapes and (for small tensors only) values of ONNX {@code TensorProto}s. */
final class OnnxTensors {
    private OnnxTensors() {
    }

    /** The IR type of an ONNX {@code TensorProto.DataType} number; types Tally has no width for are OTHER. */
    static DType dtype(int onnxType) {
        DType type = DType.ofOnnxCode(onnxType);
        return type == null ? DType.OTHER : type;
    }

    /** The tensor's shape from its dims; a negative dim is an error naming the tensor. */
    static Shape shape(String file, String what, TensorProto tensor) {
        long[] dims = new long[tensor.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = tensor.getDims(i);
            if (dims[i] < 0) {
                throw new ModelException(file + ": " + what + " has a negative dimension " + dims[i]
                        + " in its dims " + tensor.getDimsList() + "; the file is damaged.");
            }
        }
        return Shape.of(dims);
    }

    static boolean isExternal(TensorProto tensor) {
        return tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** The {@code location} entry of an external tensor, or empty when the file names none. */
    static String externalLocation(TensorProto tensor) {
        for (StringStringEntryProto entry : tensor.getExternalDataList()) {
            if (entry.getKey().equals("location")) {
                return entry.getValue();
            }
        }
        return "";
    }

    /**
     * The values of a tensor stored in the file itself, or empty when they live in an external file or the
     * tensor holds no data at all (a structure-only model). Callers ask only for small tensors: this reads
     * the data fields, which for a weight would mean touching every byte of it.
     */
    static Optional<ConstData> values(String file, String what, TensorProto tensor, DType dtype, long numel) {
        if (isExternal(tensor) || numel > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        int n = (int) numel;
        ConstData data;
        if (tensor.hasRawData()) {
            if (!readableFromRaw(dtype)) {
                return Optional.empty();
            }
            ByteString raw = tensor.getRawData();
            if (raw.size() != (long) n * dtype.byteSize()) {
                throw countMismatch(file, what, raw.size() + " bytes of raw_data", dtype, n);
            }
            return Optional.of(fromRaw(raw, dtype, n));
        }
        data = fromTyped(tensor, dtype);
        if (data == null || (data.size() == 0 && n != 0)) {
            return Optional.empty();
        }
        if (data.size() != n) {
            throw countMismatch(file, what, data.size() + " values", dtype, n);
        }
        return Optional.of(data);
    }

    private static ModelException countMismatch(String file, String what, String held, DType dtype, int n) {
        return new ModelException(file + ": " + what + " holds " + held + " for " + n + " elements of "
                + dtype.displayName() + "; the file is damaged.");
    }

    private static boolean readableFromRaw(DType dtype) {
        return dtype.byteSize() > 0 && dtype != DType.COMPLEX64 && dtype != DType.COMPLEX128;
    }

    /** Little-endian fixed-width values, as the spec stores raw_data; the caller has checked the length. */
    private static ConstData fromRaw(ByteString raw, DType dtype, int n) {
        ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype.isFloatingPoint()) {
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = switch (dtype) {
                    case FLOAT32 -> bytes.getFloat();
                    case FLOAT64 -> bytes.getDouble();
                    case FLOAT16 -> halfToFloat(bytes.getShort());
                    default -> bfloat16ToFloat(bytes.getShort());
                };
            }
            return ConstData.ofFloats(values);
        }
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (dtype) {
                case INT8 -> bytes.get();
                case UINT8, BOOL -> bytes.get() & 0xffL;
                case INT16 -> bytes.getShort();
                case UINT16 -> bytes.getShort() & 0xffffL;
                case INT32 -> bytes.getInt();
                case UINT32 -> bytes.getInt() & 0xffffffffL;
                default -> bytes.getLong();
            };
        }
        return ConstData.ofInts(values);
    }

    /** Values in the typed repeated fields; which field holds which type is fixed by the spec. */
    private static ConstData fromTyped(TensorProto tensor, DType dtype) {
        switch (dtype) {
            case FLOAT32:
                return ConstData.ofFloats(tensor.getFloatDataList().stream().mapToDouble(Float::doubleValue).toArray());
            case FLOAT64:
                return ConstData.ofFloats(tensor.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray());
            case FLOAT16:
                return ConstData.ofFloats(tensor.getInt32DataList().stream()
                        .mapToDouble(bits -> halfToFloat((short) bits.intValue())).toArray());
            case BFLOAT16:
                return ConstData.ofFloats(tensor.getInt32DataList().stream()
                        .mapToDouble(bits -> bfloat16ToFloat((short) bits.intValue())).toArray());
            case INT64:
                return ConstData.ofInts(tensor.getInt64DataList().stream().mapToLong(Long::longValue).toArray());
            case INT8, UINT8, INT16, UINT16, INT32, BOOL:
                return ConstData.ofInts(tensor.getInt32DataList().stream().mapToLong(Integer::longValue).toArray());
            case UINT32, UINT64:
                return ConstData.ofInts(tensor.getUint64DataList().stream().mapToLong(Long::longValue).toArray());
            default:
                return null;
        }
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int sign = (bits >> 15) & 0x1;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f;
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = Float.intBitsToFloat(((exponent + 112) << 23) | (mantissa << 13));
        }
        return sign == 0 ? magnitude : -magnitude;
    }

    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
