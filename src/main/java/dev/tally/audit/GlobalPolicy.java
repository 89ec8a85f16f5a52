package dev.tally.audit;

import dev.tally.load.pytorch.AllowList;
import dev.tally.load.pytorch.PyGlobal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rates the globals a pickle imports or calls. The rule is the allow-list alone ({@link AllowList}: what PyTorch's
 * own {@code torch.load(weights_only=True)} accepts, plus what {@code torch.save} writes): a global on it is SAFE,
 * anything else makes the file unsafe to {@code torch.load} (DANGEROUS, exit 4), whatever it is. The categories
 * below (shell, code execution, ...) only label a finding for the reader; a global in no category is still unsafe.
 */
public final class GlobalPolicy {
    /** Python 2 names that {@code pickle}'s {@code fix_imports} maps to Python 3 modules before importing. */
    private static final Map<String, String> PYTHON2_MODULES = Map.of(
            "__builtin__", "builtins", "copy_reg", "copyreg", "exceptions", "builtins", "cPickle", "pickle",
            "commands", "subprocess", "urllib2", "urllib.request", "httplib", "http.client");

    /**
     * Modules that other modules import under their own name, so that a protocol-4 dotted name can reach them
     * through any module ({@code posixpath} + {@code os.system}): Python's {@code _getattribute} walks the dots.
     */
    private static final Set<String> REACHABLE_MODULES = Set.of(
            "os", "sys", "subprocess", "builtins", "io", "_io", "codecs", "shutil", "socket", "pickle", "marshal",
            "importlib", "runpy", "functools", "operator", "posix", "nt", "types", "ctypes", "pathlib", "tempfile",
            "logging", "urllib", "http", "webbrowser", "torch", "numpy", "np", "collections", "warnings", "inspect", "pdb");

    /** Label, then resolved-name prefixes (a prefix ending in '.' covers a module; otherwise an exact name). */
    private static final List<Map.Entry<String, List<String>>> LABELS = List.of(
            Map.entry("shell", List.of("os.system", "os.popen", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
                    "posix.", "nt.", "subprocess.", "pty.", "platform.popen", "imaplib.IMAP4_stream", "pydoc.pipepager",
                    "pydoc.tempfilepager", "pydoc.pager", "asyncio.create_subprocess", "torch.utils.collect_env.run",
                    "multiprocessing.", "distutils.spawn.", "torch.utils.cpp_extension.")),
            Map.entry("code execution", List.of("builtins.eval", "builtins.exec", "builtins.compile", "builtins.execfile",
                    "builtins.breakpoint", "timeit.", "cProfile.", "profile.", "pdb.", "trace.", "runpy.", "code.", "codeop.",
                    "doctest.", "torch.fx.", "numpy.testing.", "types.", "ctypes.", "torch._C.", "torch.jit.", "torch.ops.")),
            Map.entry("nested loader", List.of("pickle.", "_pickle.", "dill.", "joblib.", "shelve.", "marshal.", "torch.load",
                    "torch.serialization.", "torch.storage._load_from_bytes", "torch.hub.", "numpy.load", "numpy.lib.npyio.",
                    "numpy.lib.format.")),
            Map.entry("network", List.of("socket.", "urllib.", "http.", "ftplib.", "smtplib.", "imaplib.", "poplib.",
                    "telnetlib.", "requests.", "webbrowser.", "xmlrpc.", "ssl.", "asyncio.")),
            Map.entry("file system", List.of("builtins.open", "builtins.file", "io.", "_io.", "codecs.open", "logging.",
                    "shutil.", "tempfile.", "pathlib.", "os.", "glob.", "fileinput.", "zipfile.", "tarfile.", "numpy.save",
                    "numpy.tofile", "torch.save")),
            Map.entry("importer", List.of("builtins.__import__", "builtins.getattr", "builtins.setattr", "builtins.delattr",
                    "builtins.globals", "builtins.locals", "builtins.vars", "importlib.", "imp.", "pkgutil.", "operator.",
                    "functools.", "sys.", "copyreg._extension_registry")));

    /** Libraries whose classes make up a whole pickled model (torch.save(model) rather than its state_dict). */
    private static final Set<String> MODEL_LIBRARIES = Set.of("torch", "torchvision", "torchaudio", "torchtext", "timm",
            "transformers", "ultralytics", "models", "fairseq", "detectron2", "mmcv", "mmdet");

    private GlobalPolicy() {
    }

    /** A global with its severity, why, its label for the report and the name Python would resolve it to. */
    public record Verdict(PyGlobal global, Severity severity, String reason, String label, String resolved) {
    }

    /** The verdict outside a TorchScript archive. */
    public static Verdict classify(PyGlobal global) {
        return classify(global, false);
    }

    /** @param torchScript whether the pickle is in a TorchScript archive ({@code constants.pkl}), which torch.load hands to torch.jit.load */
    public static Verdict classify(PyGlobal global, boolean torchScript) {
        String resolved = resolve(global);
        if (AllowList.allows(global, torchScript)) {
            return new Verdict(global, Severity.SAFE, "on the allow-list (what torch.load(weights_only=True) accepts and torch.save writes)",
                    "allowed", resolved);
        }
        String label = label(resolved, global);
        String reason = "outside the allow-list: torch.load imports and calls it"
                + (resolved.equals(global.qualifiedName()) ? "" : " (Python resolves the dotted name to " + resolved + ")");
        return new Verdict(global, Severity.DANGEROUS, reason, label, resolved);
    }

    /** What Python's unpickler reaches: Python 2 module names mapped, dotted names walked (see the fields). */
    static String resolve(PyGlobal global) {
        String module = PYTHON2_MODULES.getOrDefault(global.module(), global.module());
        String name = global.name();
        int dot = name.indexOf('.');
        if (dot > 0) {
            String first = name.substring(0, dot);
            if (REACHABLE_MODULES.contains(first) || PYTHON2_MODULES.containsKey(first)) {
                String head = PYTHON2_MODULES.getOrDefault(first, first);
                return head + name.substring(dot);
            }
        }
        return module + "." + name;
    }

    private static String label(String resolved, PyGlobal global) {
        for (Map.Entry<String, List<String>> entry : LABELS) {
            for (String prefix : entry.getValue()) {
                if (prefix.endsWith(".") ? resolved.startsWith(prefix) : resolved.equals(prefix) || resolved.startsWith(prefix)) {
                    return entry.getKey();
                }
            }
        }
        if (resolved.startsWith("torch.serialization.persistent_load")) {
            return "persistent id";
        }
        String top = resolved.contains(".") ? resolved.substring(0, resolved.indexOf('.')) : resolved;
        if (resolved.endsWith(".__setstate__")) {
            return "object state";
        }
        if (MODEL_LIBRARIES.contains(top) || top.startsWith("__torch__")) {
            return "pickled module of a known library";
        }
        if (top.equals("__main__")) {
            return "class of the saving script";
        }
        if (top.equals("builtins")) {
            return "builtin";
        }
        return "other import";
    }
}
