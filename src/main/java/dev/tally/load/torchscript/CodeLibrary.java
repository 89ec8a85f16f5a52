package dev.tally.load.torchscript;

import dev.tally.load.pytorch.TorchArchive;
import dev.tally.load.torchscript.Ast.Stmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The archive's {@code code/} folder: a qualified name ({@code __torch__.torch.nn.modules.conv.Conv2d},
 * {@code __torch__.torch.nn.functional.relu}) is found in the file of its module
 * ({@code code/__torch__/torch/nn/modules/conv.py}), parsed on first use.
 */
final class CodeLibrary {
    /** A class as its code declares it. */
    record ClassInfo(String qualifiedName, String record, Ast.ClassDef definition, Map<String, Ast.FunctionDef> methods,
                     List<String> parameters, List<String> buffers, Map<String, Ast.Expr> constants, boolean namedTuple) {
    }

    /** A module-level function and the file it is in. */
    record FunctionInfo(String qualifiedName, String record, Ast.FunctionDef definition) {
    }

    private final TorchArchive archive;
    private final Map<String, List<Stmt>> files = new HashMap<>();
    private final Map<String, ClassInfo> classes = new HashMap<>();

    CodeLibrary(TorchArchive archive) {
        this.archive = archive;
    }

    /** The class named {@code qualifiedName}, empty when no code file declares it. */
    Optional<ClassInfo> classInfo(String qualifiedName) {
        ClassInfo cached = classes.get(qualifiedName);
        if (cached != null) {
            return Optional.of(cached);
        }
        int dot = qualifiedName.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String record = recordOf(qualifiedName.substring(0, dot));
        String simpleName = qualifiedName.substring(dot + 1);
        for (Stmt stmt : file(record)) {
            if (stmt instanceof Ast.ClassDef definition && definition.name().equals(simpleName)) {
                ClassInfo info = describe(qualifiedName, record, definition);
                classes.put(qualifiedName, info);
                return Optional.of(info);
            }
        }
        return Optional.empty();
    }

    /** The module-level function named {@code qualifiedName}, empty when no code file declares it. */
    Optional<FunctionInfo> function(String qualifiedName) {
        int dot = qualifiedName.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String record = recordOf(qualifiedName.substring(0, dot));
        String simpleName = qualifiedName.substring(dot + 1);
        for (Stmt stmt : file(record)) {
            if (stmt instanceof Ast.FunctionDef definition && definition.name().equals(simpleName)) {
                return Optional.of(new FunctionInfo(qualifiedName, record, definition));
            }
        }
        return Optional.empty();
    }

    private static String recordOf(String module) {
        return "code/" + module.replace('.', '/') + ".py";
    }

    private List<Stmt> file(String record) {
        List<Stmt> parsed = files.get(record);
        if (parsed == null) {
            parsed = archive.has(record)
                    ? CodeParser.parse(archive.fileName(), record, archive.readText(record))
                    : List.of();
            files.put(record, parsed);
        }
        return parsed;
    }

    private static ClassInfo describe(String qualifiedName, String record, Ast.ClassDef definition) {
        Map<String, Ast.FunctionDef> methods = new LinkedHashMap<>();
        List<String> parameters = new ArrayList<>();
        List<String> buffers = new ArrayList<>();
        Map<String, Ast.Expr> constants = new LinkedHashMap<>();
        for (Stmt stmt : definition.body()) {
            if (stmt instanceof Ast.FunctionDef method) {
                methods.put(method.name(), method);
            } else if (stmt instanceof Ast.Assign assign && assign.targets().size() == 1
                    && assign.targets().get(0) instanceof Ast.Name target && assign.value() != null) {
                if (target.id().equals("__parameters__")) {
                    parameters.addAll(strings(assign.value()));
                } else if (target.id().equals("__buffers__")) {
                    buffers.addAll(strings(assign.value()));
                } else if (assign.annotation() != null) {
                    constants.put(target.id(), assign.value());
                }
            }
        }
        boolean namedTuple = definition.bases().stream()
                .anyMatch(b -> b instanceof Ast.Name name && name.id().equals("NamedTuple"));
        return new ClassInfo(qualifiedName, record, definition, methods, parameters, buffers, constants, namedTuple);
    }

    private static List<String> strings(Ast.Expr list) {
        List<String> names = new ArrayList<>();
        if (list instanceof Ast.ListExpr items) {
            for (Ast.Expr item : items.items()) {
                if (item instanceof Ast.Const c && c.value() instanceof String s) {
                    names.add(s);
                }
            }
        }
        return names;
    }
}
