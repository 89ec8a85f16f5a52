package dev.tally.ir;

import java.util.Locale;

/** Element types of tensors, with their size in bytes and the name PyTorch and ONNX users know. */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    FLOAT16("float16", 2),
    BFLOAT16("bfloat16", 2),
    INT8("int8", 1),
    UINT8("uint8", 1),
    INT16("int16", 2),
    UINT16("uint16", 2),
    INT32("int32", 4),
    UINT32("uint32", 4),
    INT64("int64", 8),
    UINT64("uint64", 8),
    BOOL("bool", 1),
    COMPLEX64("complex64", 8),
    COMPLEX128("complex128", 16),
    /** Quantized types: integers standing for reals by a scale and zero point (torch.quint8, qint8, qint32). */
    QUINT8("quint8", 1),
    QINT8("qint8", 1),
    QINT32("qint32", 4),
    /** Strings and other element types with no fixed width; counted as zero bytes. */
    OTHER("other", 0);

    private final String displayName;
    private final int byteSize;

    DType(String displayName, int byteSize) {
        this.displayName = displayName;
        this.byteSize = byteSize;
    }

    /** The name shown in reports and JSON, e.g. {@code float32}. */
    public String displayName() {
        return displayName;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16
                || this == COMPLEX64 || this == COMPLEX128;
    }

    /** Integer and boolean types: the ones whose small constant values the shape pass tracks exactly. */
    public boolean isIntegral() {
        return !isFloatingPoint() && !isQuantized() && this != OTHER;
    }

    /** The quantized types, whose values are not read or tracked (they stand for reals). */
    public boolean isQuantized() {
        return this == QUINT8 || this == QINT8 || this == QINT32;
    }

    /** The element types a model input may be given as with {@code --input name=1x3x224x224:float16}. */
    public static final java.util.List<DType> INPUT_TYPES = java.util.List.of(
            FLOAT16, BFLOAT16, FLOAT32, FLOAT64, INT8, INT16, INT32, INT64, UINT8, BOOL);

    /** The input type named {@code name}, or a one-sentence error listing the valid ones. */
    public static DType inputType(String name) {
        for (DType type : INPUT_TYPES) {
            if (type.displayName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (DType type : INPUT_TYPES) {
            valid.append(valid.length() == 0 ? "" : ", ").append(type.displayName);
        }
        throw new IllegalArgumentException("Unknown input dtype '" + name + "'; use one of: " + valid + ".");
    }

    /**
     * The type of an ONNX {@code TensorProto.DataType} code (1 float ... 16 bfloat16; 8, string, is OTHER); null for a
     * code outside 1 to 16. The loader reads tensors' types and Cast-like rules their {@code to} attributes by it.
     */
    public static DType ofOnnxCode(long code) {
        return switch ((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, code))) {
            case 1 -> FLOAT32;
            case 2 -> UINT8;
            case 3 -> INT8;
            case 4 -> UINT16;
            case 5 -> INT16;
            case 6 -> INT32;
            case 7 -> INT64;
            case 8 -> OTHER;
            case 9 -> BOOL;
            case 10 -> FLOAT16;
            case 11 -> FLOAT64;
            case 12 -> UINT32;
            case 13 -> UINT64;
            case 14 -> COMPLEX64;
            case 15 -> COMPLEX128;
            case 16 -> BFLOAT16;
            default -> null;
        };
    }

    /** Looks a type up by its display name ({@code float32}), case-insensitively. */
    public static DType fromDisplayName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (DType type : values()) {
            if (type.displayName.equals(wanted)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown dtype '" + name + "'.");
    }
}
