package dev.tally.audit;

import dev.tally.load.pytorch.PyGlobal;
import java.util.Map;
import java.util.Set;

/**
 * Sorts the globals a pickle references into safe, suspicious and dangerous. The safe set is what a plain
 * {@code torch.save(model.state_dict())} needs, close to PyTorch's own {@code torch.load(weights_only=True)}
 * allow-list; the dangerous set is what can run commands, code or I/O at load time. Everything else is
 * suspicious: harmless as far as we know, but loading the file imports it and calls it.
 */
public final class GlobalPolicy {
    /** Exact safe globals: tensor and parameter rebuilders, containers, numpy scalars and dtypes. */
    private static final Set<String> SAFE = Set.of(
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state", "torch._utils._rebuild_qtensor",
            "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._utils._rebuild_device_tensor_from_numpy", "torch._tensor._rebuild_from_type_v2",
            "torch.Size", "torch.device", "torch.Tensor", "torch.nn.parameter.Parameter", "torch.storage._TypedStorage",
            "torch.storage.TypedStorage", "torch.storage.UntypedStorage", "torch.serialization._get_layout",
            "collections.OrderedDict", "collections.defaultdict", "collections.Counter",
            "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes", "builtins.complex",
            "builtins.slice", "builtins.range", "builtins.dict", "builtins.list", "builtins.tuple", "builtins.int",
            "builtins.float", "builtins.str", "builtins.bool", "__builtin__.set", "__builtin__.frozenset",
            "__builtin__.bytearray", "__builtin__.complex", "_codecs.encode",
            "numpy.dtype", "numpy.core.multiarray.scalar", "numpy.core.multiarray._reconstruct", "numpy.ndarray",
            "numpy._core.multiarray.scalar", "numpy._core.multiarray._reconstruct");

    /** Whole modules whose every global can run commands, code or I/O. */
    private static final Map<String, String> DANGEROUS_MODULES = Map.ofEntries(
            Map.entry("os", "runs commands or touches files"), Map.entry("posix", "runs commands or touches files"),
            Map.entry("nt", "runs commands or touches files"), Map.entry("subprocess", "runs commands"),
            Map.entry("pty", "runs commands"), Map.entry("commands", "runs commands"),
            Map.entry("runpy", "runs Python code"), Map.entry("code", "runs Python code"),
            Map.entry("codeop", "compiles Python code"), Map.entry("webbrowser", "opens URLs"),
            Map.entry("socket", "opens network connections"), Map.entry("urllib", "opens network connections"),
            Map.entry("http", "opens network connections"), Map.entry("requests", "opens network connections"),
            Map.entry("ftplib", "opens network connections"), Map.entry("smtplib", "opens network connections"),
            Map.entry("shutil", "copies or deletes files"), Map.entry("tempfile", "creates files"),
            Map.entry("pathlib", "touches files"), Map.entry("io", "opens files"), Map.entry("sys", "changes the interpreter"),
            Map.entry("importlib", "imports arbitrary modules"), Map.entry("imp", "imports arbitrary modules"),
            Map.entry("pkgutil", "imports arbitrary modules"), Map.entry("ctypes", "calls native code"),
            Map.entry("multiprocessing", "starts processes"), Map.entry("signal", "changes process signals"),
            Map.entry("marshal", "loads code objects"), Map.entry("types", "builds code and function objects"),
            Map.entry("pickle", "loads a nested pickle"), Map.entry("_pickle", "loads a nested pickle"),
            Map.entry("cPickle", "loads a nested pickle"), Map.entry("dill", "loads a nested pickle"),
            Map.entry("joblib", "loads a nested pickle"), Map.entry("shelve", "loads a nested pickle"),
            Map.entry("operator", "calls attributes and methods by name"),
            Map.entry("asyncio", "starts subprocesses and connections"), Map.entry("threading", "starts threads"));

    /** Builtins that run code, reach any attribute or touch files; other builtins are suspicious. */
    private static final Set<String> DANGEROUS_BUILTINS = Set.of(
            "eval", "exec", "execfile", "compile", "getattr", "setattr", "delattr", "__import__", "open", "file",
            "input", "raw_input", "breakpoint", "globals", "locals", "vars", "apply", "reload", "help", "memoryview");

    /** Torch globals that load nested pickles or run code. */
    private static final Set<String> DANGEROUS_TORCH = Set.of(
            "torch.load", "torch.storage._load_from_bytes", "torch.serialization.load", "torch.jit.load",
            "torch.hub.load", "torch.hub.load_state_dict_from_url", "torch.jit._script.CompilationUnit",
            "torch._C._jit_pass_run", "torch.ops.load_library", "torch.classes.load_library",
            "torch.utils.cpp_extension.load", "torch.utils.cpp_extension.load_inline");

    private GlobalPolicy() {
    }

    /** A global with its severity and why. */
    public record Verdict(PyGlobal global, Severity severity, String reason) {
    }

    public static Verdict classify(PyGlobal global) {
        String module = global.module();
        String qualified = global.qualifiedName();
        if (SAFE.contains(qualified)) {
            return new Verdict(global, Severity.SAFE, "allowed for state_dicts");
        }
        if (module.equals("__torch__") || module.startsWith("__torch__.")) {
            return new Verdict(global, Severity.SAFE, "a TorchScript class: torch.jit.load builds it from the archive's own code, never by import");
        }
        if (module.equals("torch.jit._pickle")) {
            return new Verdict(global, Severity.SAFE, "TorchScript's list and tensor builders");
        }
        if (module.equals("torch") && global.name().endsWith("Storage")) {
            return new Verdict(global, Severity.SAFE, "tensor storage type");
        }
        if (module.equals("torch") && DTYPE_NAMES.contains(global.name())) {
            return new Verdict(global, Severity.SAFE, "tensor element type");
        }
        if (module.equals("builtins") || module.equals("__builtin__")) {
            return DANGEROUS_BUILTINS.contains(global.name())
                    ? new Verdict(global, Severity.DANGEROUS, "runs code or reaches any object or file when loaded")
                    : new Verdict(global, Severity.SUSPICIOUS, "a builtin outside the state_dict allow-list");
        }
        if (DANGEROUS_TORCH.contains(qualified)) {
            return new Verdict(global, Severity.DANGEROUS, "loads or runs further code when loaded");
        }
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        String reason = DANGEROUS_MODULES.get(module);
        if (reason == null) {
            reason = DANGEROUS_MODULES.get(top);
        }
        if (reason != null) {
            return new Verdict(global, Severity.DANGEROUS, reason + " when loaded");
        }
        if (top.equals("torch") || top.equals("torchvision")) {
            return new Verdict(global, Severity.SUSPICIOUS,
                    "a class or function outside the state_dict allow-list (e.g. a whole pickled module); loading imports and calls it");
        }
        if (module.equals("__main__")) {
            return new Verdict(global, Severity.SUSPICIOUS, "code from the script that saved the file; loading needs that script and calls it");
        }
        return new Verdict(global, Severity.SUSPICIOUS, "unknown to the allow-list; loading imports and calls it");
    }

    private static final Set<String> DTYPE_NAMES = Set.of(
            "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int8", "uint8", "int16",
            "short", "int32", "int", "int64", "long", "bool", "complex64", "complex128", "qint8", "quint8", "qint32",
            "per_tensor_affine", "per_channel_affine", "strided", "sparse_coo", "contiguous_format",
            "channels_last", "preserve_format");
}
