package dev.tally.load.torchscript;

import dev.tally.load.torchscript.Ast.Expr;
import dev.tally.load.torchscript.Ast.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The statements the interpreter could not follow, and what a statement touches: the names it assigns (which hold
 * unknown values after it), the names it reads (the gap's inputs) and the lists it changes in place. The syntax
 * tree is as deep as {@link CodeParser} allows, so walking it recursively is bounded by the parser, not the file.
 */
final class Gaps {
    /** One statement not followed: where, and the interpreter's reason in one sentence. */
    record Gap(String source, String reason) {}

    /** Calls that change their first argument, a list or dict, in place ({@code torch.append(boxes, b)}). */
    private static final Set<String> MUTATORS = Set.of("append", "_set_item", "insert", "extend", "__setitem__",
            "add_", "remove", "pop", "clear", "update", "setdefault");

    private final List<Gap> gaps = new ArrayList<>();

    void add(String source, String reason) {
        gaps.add(new Gap(source, reason));
    }

    List<Gap> all() {
        return List.copyOf(gaps);
    }

    /** Every name {@code stmt} may assign, in nested branches and loop bodies too, in first-assigned order. */
    static Set<String> assigned(Stmt stmt) {
        Set<String> names = new LinkedHashSet<>();
        assigned(stmt, names);
        return names;
    }

    private static void assigned(Stmt stmt, Set<String> names) {
        if (stmt instanceof Ast.Assign assign) {
            assign.targets().forEach(t -> targetNames(t, names));
            if (assign.value() != null) {
                mutated(assign.value(), names);
            }
        } else if (stmt instanceof Ast.ExprStmt expression) {
            mutated(expression.value(), names);
        } else if (stmt instanceof Ast.If branch) {
            branch.then().forEach(s -> assigned(s, names));
            branch.otherwise().forEach(s -> assigned(s, names));
        } else if (stmt instanceof Ast.For loop) {
            loop.targets().forEach(t -> targetNames(t, names));
            loop.body().forEach(s -> assigned(s, names));
        } else if (stmt instanceof Ast.While loop) {
            loop.body().forEach(s -> assigned(s, names));
        }
    }

    /** The names of lists and dicts {@code stmt} changes in place (appends to, sets items of), nested statements too. */
    static Set<String> mutated(Stmt stmt) {
        Set<String> names = new LinkedHashSet<>();
        mutatedIn(stmt, names);
        return names;
    }

    private static void mutatedIn(Stmt stmt, Set<String> names) {
        if (stmt instanceof Ast.Assign assign && assign.value() != null) {
            mutated(assign.value(), names);
        } else if (stmt instanceof Ast.ExprStmt expression) {
            mutated(expression.value(), names);
        } else if (stmt instanceof Ast.If branch) {
            branch.then().forEach(s -> mutatedIn(s, names));
            branch.otherwise().forEach(s -> mutatedIn(s, names));
        } else if (stmt instanceof Ast.For loop) {
            loop.body().forEach(s -> mutatedIn(s, names));
        } else if (stmt instanceof Ast.While loop) {
            loop.body().forEach(s -> mutatedIn(s, names));
        }
    }

    private static void targetNames(Expr target, Set<String> names) {
        if (target instanceof Ast.Name name) {
            names.add(name.id());
        } else if (target instanceof Ast.TupleExpr tuple) {
            tuple.items().forEach(t -> targetNames(t, names));
        } else if (target instanceof Ast.ListExpr list) {
            list.items().forEach(t -> targetNames(t, names));
        }
    }

    /** Names of lists and dicts a call in {@code expr} changes in place: after the gap their contents are unknown. */
    private static void mutated(Expr expr, Set<String> names) {
        if (expr instanceof Ast.Call call) {
            if (call.function() instanceof Ast.Attr attr && MUTATORS.contains(attr.name())) {
                if (attr.target() instanceof Ast.Name self && !isNamespace(self.id())) {
                    names.add(self.id());
                } else if (!call.args().isEmpty() && call.args().get(0) instanceof Ast.Name first) {
                    names.add(first.id());
                }
            }
            call.args().forEach(a -> mutated(a, names));
            call.keywords().forEach(k -> mutated(k.value(), names));
        }
    }

    private static boolean isNamespace(String name) {
        return name.equals("torch") || name.equals("ops");
    }

    /** Whether {@code stmt} is or holds a {@code return}: a gap there ends the function with an unknown result. */
    static boolean returns(Stmt stmt) {
        if (stmt instanceof Ast.Return) {
            return true;
        }
        if (stmt instanceof Ast.If branch) {
            return branch.then().stream().anyMatch(Gaps::returns) || branch.otherwise().stream().anyMatch(Gaps::returns);
        }
        if (stmt instanceof Ast.For loop) {
            return loop.body().stream().anyMatch(Gaps::returns);
        }
        if (stmt instanceof Ast.While loop) {
            return loop.body().stream().anyMatch(Gaps::returns);
        }
        return false;
    }

    /** Every name {@code stmt} reads (its conditions, values and the statements nested in it). */
    static Set<String> read(Stmt stmt) {
        Set<String> names = new LinkedHashSet<>();
        read(stmt, names);
        return names;
    }

    private static void read(Stmt stmt, Set<String> names) {
        if (stmt instanceof Ast.Assign assign) {
            if (assign.value() != null) {
                names(assign.value(), names);
            }
        } else if (stmt instanceof Ast.ExprStmt expression) {
            names(expression.value(), names);
        } else if (stmt instanceof Ast.Return ret) {
            if (ret.value() != null) {
                names(ret.value(), names);
            }
        } else if (stmt instanceof Ast.If branch) {
            names(branch.condition(), names);
            branch.then().forEach(s -> read(s, names));
            branch.otherwise().forEach(s -> read(s, names));
        } else if (stmt instanceof Ast.For loop) {
            names(loop.iterable(), names);
            loop.body().forEach(s -> read(s, names));
        } else if (stmt instanceof Ast.While loop) {
            names(loop.condition(), names);
            loop.body().forEach(s -> read(s, names));
        }
    }

    private static void names(Expr expr, Set<String> names) {
        if (expr instanceof Ast.Name name) {
            names.add(name.id());
        } else if (expr instanceof Ast.Attr attr) {
            names(attr.target(), names);
        } else if (expr instanceof Ast.Call call) {
            names(call.function(), names);
            call.args().forEach(a -> names(a, names));
            call.keywords().forEach(k -> names(k.value(), names));
        } else if (expr instanceof Ast.Subscript subscript) {
            names(subscript.target(), names);
            names(subscript.index(), names);
        } else if (expr instanceof Ast.ListExpr list) {
            list.items().forEach(i -> names(i, names));
        } else if (expr instanceof Ast.TupleExpr tuple) {
            tuple.items().forEach(i -> names(i, names));
        } else if (expr instanceof Ast.DictExpr dict) {
            dict.keys().forEach(i -> names(i, names));
            dict.values().forEach(i -> names(i, names));
        } else if (expr instanceof Ast.Unary unary) {
            names(unary.operand(), names);
        } else if (expr instanceof Ast.Binary binary) {
            names(binary.left(), names);
            names(binary.right(), names);
        } else if (expr instanceof Ast.IfExpr ifExpr) {
            names(ifExpr.condition(), names);
            names(ifExpr.then(), names);
            names(ifExpr.otherwise(), names);
        }
    }
}
