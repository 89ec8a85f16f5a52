package dev.tally.load.pytorch;

import java.util.Set;

/**
 * The audit's rule: the only globals a pickle may import or call and still be rated safe to {@code torch.load}.
 * It is exactly the table of PyTorch 1.13's {@code torch/_weights_only_unpickler.py} ({@code _get_allowed_globals})
 * plus the few globals {@code torch.save} itself writes for tensors, storages, parameters and dtypes that the table
 * lacks. Every entry is explained in {@code docs/security.md}. A name is matched as the full string
 * {@code module + "." + name}, exactly as the weights-only unpickler matches it, never by prefix.
 *
 * <p>TorchScript's own names ({@code __torch__.*} classes and the {@code torch.jit._pickle} list builders) are
 * allowed only inside a TorchScript archive (one with {@code constants.pkl}): {@code torch.load} hands such an
 * archive to {@code torch.jit.load}, whose C++ unpickler builds them from the archive's code and never imports them.
 */
public final class AllowList {
    /** {@code _get_allowed_globals}: containers, Parameter, layout, Size, Tensor and its ten dtypes. */
    private static final Set<String> WEIGHTS_ONLY = Set.of(
            "collections.OrderedDict", "torch.nn.parameter.Parameter", "torch.serialization._get_layout", "torch.Size",
            "torch.Tensor",
            "torch.complex32", "torch.complex64", "torch.complex128", "torch.float16", "torch.float32", "torch.float64",
            "torch.int8", "torch.int16", "torch.int32", "torch.int64",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._utils._rebuild_sparse_csr_tensor");

    /** {@code torch._tensor_classes}: the legacy typed tensor classes, CPU, CUDA and sparse. */
    private static final Set<String> TENSOR_CLASS_ELEMENTS = Set.of(
            "Byte", "Char", "Short", "Int", "Long", "Half", "Float", "Double", "Bool", "BFloat16");

    /** {@code torch._storage_classes}: the typed storages {@code torch.save} names in a storage's persistent id. */
    private static final Set<String> STORAGES = Set.of(
            "torch.ByteStorage", "torch.CharStorage", "torch.ShortStorage", "torch.IntStorage", "torch.LongStorage",
            "torch.HalfStorage", "torch.FloatStorage", "torch.DoubleStorage", "torch.BoolStorage", "torch.BFloat16Storage",
            "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage", "torch.QUInt8Storage",
            "torch.QInt32Storage", "torch.QUInt4x2Storage", "torch.QUInt2x4Storage",
            "torch.cuda.ByteStorage", "torch.cuda.CharStorage", "torch.cuda.ShortStorage", "torch.cuda.IntStorage",
            "torch.cuda.LongStorage", "torch.cuda.HalfStorage", "torch.cuda.FloatStorage", "torch.cuda.DoubleStorage",
            "torch.cuda.BoolStorage", "torch.cuda.BFloat16Storage", "torch.cuda.ComplexFloatStorage",
            "torch.cuda.ComplexDoubleStorage", "torch.storage.UntypedStorage", "torch.storage.TypedStorage");

    /**
     * What torch.save writes beyond the table: the dtypes the table omits ({@code torch.save(torch.bool)} writes
     * {@code GLOBAL torch bool}), and quantized tensors' rebuilder with the quantization schemes it takes.
     */
    private static final Set<String> TORCH_SAVE = Set.of(
            "torch.bfloat16", "torch.bool", "torch.uint8", "torch.qint8", "torch.quint8", "torch.qint32",
            "torch.quint4x2", "torch.quint2x4",
            "torch._utils._rebuild_qtensor", "torch.per_tensor_affine", "torch.per_channel_affine",
            "torch.per_channel_affine_float_qparams");

    /** TorchScript's list and tensor builders, allowed only in a TorchScript archive. */
    private static final Set<String> TORCHSCRIPT = Set.of(
            "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_floatlist", "torch.jit._pickle.build_doublelist",
            "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_list",
            "torch.jit._pickle.restore_type_tag", "torch.jit._pickle.build_tensor_from_id");

    private AllowList() {
    }

    /** Whether {@code global} may be imported and called by a file rated safe; {@code torchScript} for archives with constants.pkl. */
    public static boolean allows(PyGlobal global, boolean torchScript) {
        String full = global.qualifiedName();
        if (WEIGHTS_ONLY.contains(full) || STORAGES.contains(full) || TORCH_SAVE.contains(full) || isTensorClass(full)) {
            return true;
        }
        return torchScript && (TORCHSCRIPT.contains(full) || global.module().equals("__torch__") || global.module().startsWith("__torch__."));
    }

    /** {@code torch.FloatTensor}, {@code torch.cuda.FloatTensor}, {@code torch.sparse.FloatTensor}, {@code torch.cuda.sparse.FloatTensor}. */
    private static boolean isTensorClass(String full) {
        for (String prefix : new String[] {"torch.", "torch.cuda.", "torch.sparse.", "torch.cuda.sparse."}) {
            if (full.startsWith(prefix) && full.endsWith("Tensor")) {
                String element = full.substring(prefix.length(), full.length() - "Tensor".length());
                // torch.sparse has no Bool tensor class; torch.BoolTensor and torch.cuda.BoolTensor exist.
                if (TENSOR_CLASS_ELEMENTS.contains(element) && !(prefix.contains("sparse") && element.equals("Bool"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
