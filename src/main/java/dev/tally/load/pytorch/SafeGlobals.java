package dev.tally.load.pytorch;

import dev.tally.ir.DType;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The allow-list: the globals PyTorch writes for module trees and tensors, and what each stands for. Every
 * other global is refused (or, for an audit, recorded). Names are matched exactly, never by prefix, except
 * {@code __torch__.*}: TorchScript's own classes, which the reader builds as plain attribute records.
 */
public final class SafeGlobals {
    /** What an allowed global means to the reader. */
    public enum Kind {
        REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT,
        /**
         * {@code torch._utils._rebuild_qtensor}: a quantized tensor, read as data like any tensor (its storage, offset,
         * sizes and strides; the quantizer's scale and zero point are kept inert); nothing is called.
         */
        REBUILD_QTENSOR, STORAGE_TYPE, TORCHSCRIPT_CLASS,
        /** {@code torch.jit._pickle.build_intlist(list)} and friends: the argument itself. */
        IDENTITY,
        /** Allowed and kept as an inert {@link PyCall} ({@code torch.device}, dtypes). */
        INERT
    }

    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DType.FLOAT32), Map.entry("DoubleStorage", DType.FLOAT64),
            Map.entry("HalfStorage", DType.FLOAT16), Map.entry("BFloat16Storage", DType.BFLOAT16),
            Map.entry("LongStorage", DType.INT64), Map.entry("IntStorage", DType.INT32),
            Map.entry("ShortStorage", DType.INT16), Map.entry("CharStorage", DType.INT8),
            Map.entry("ByteStorage", DType.UINT8), Map.entry("BoolStorage", DType.BOOL),
            Map.entry("ComplexFloatStorage", DType.COMPLEX64), Map.entry("ComplexDoubleStorage", DType.COMPLEX128),
            Map.entry("QInt8Storage", DType.QINT8), Map.entry("QUInt8Storage", DType.QUINT8),
            Map.entry("QInt32Storage", DType.QINT32), Map.entry("UntypedStorage", DType.UINT8));

    private static final Set<String> IDENTITY = Set.of(
            "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_floatlist", "torch.jit._pickle.build_doublelist",
            "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_list",
            "torch.jit._pickle.restore_type_tag");

    private static final Set<String> INERT = Set.of(
            "torch.jit._pickle.build_tensor_from_id", "torch.device", "torch.Size", "torch._utils._rebuild_device_tensor_from_numpy",
            "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64", "torch.int32",
            "torch.int16", "torch.int8", "torch.uint8", "torch.bool",
            // A quantized tensor's quantizer: its scheme and dtype, names only (torch.save's own table has them too).
            "torch.per_tensor_affine", "torch.per_channel_affine", "torch.per_channel_affine_float_qparams",
            "torch.qint8", "torch.quint8", "torch.qint32");

    private SafeGlobals() {
    }

    /** The meaning of {@code global}, empty when it is outside the allow-list. */
    public static Optional<Kind> classify(PyGlobal global) {
        String module = global.module();
        String name = global.name();
        String qualified = global.qualifiedName();
        if (module.equals("__torch__") || module.startsWith("__torch__.")) {
            return Optional.of(Kind.TORCHSCRIPT_CLASS);
        }
        if (qualified.equals("torch._utils._rebuild_tensor_v2") || qualified.equals("torch._utils._rebuild_tensor")) {
            return Optional.of(Kind.REBUILD_TENSOR);
        }
        if (qualified.equals("torch._utils._rebuild_qtensor")) {
            return Optional.of(Kind.REBUILD_QTENSOR);
        }
        if (qualified.equals("torch._utils._rebuild_parameter") || qualified.equals("torch._utils._rebuild_parameter_with_state")) {
            return Optional.of(Kind.REBUILD_PARAMETER);
        }
        if (qualified.equals("collections.OrderedDict")) {
            return Optional.of(Kind.ORDERED_DICT);
        }
        if ((module.equals("torch") || module.equals("torch.storage")) && STORAGE_TYPES.containsKey(name)) {
            return Optional.of(Kind.STORAGE_TYPE);
        }
        if (IDENTITY.contains(qualified)) {
            return Optional.of(Kind.IDENTITY);
        }
        if (INERT.contains(qualified)) {
            return Optional.of(Kind.INERT);
        }
        return Optional.empty();
    }

    public static boolean isAllowed(PyGlobal global) {
        return classify(global).isPresent();
    }

    /** The element type of a storage class ({@code FloatStorage} is float32); empty for any other name. */
    public static Optional<DType> storageDType(String storageClassName) {
        return Optional.ofNullable(STORAGE_TYPES.get(storageClassName));
    }
}
