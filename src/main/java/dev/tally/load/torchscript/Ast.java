package dev.tally.load.torchscript;

import java.util.List;

/**
 * The syntax tree of the Python subset TorchScript serializes its code in ({@code torch/csrc/jit/serialization/
 * python_print.cpp}): classes, functions, assignments, {@code if}/{@code for}/{@code while}, calls and literals.
 */
final class Ast {
    private Ast() {
    }

    /** An expression. */
    sealed interface Expr permits Name, Const, Attr, Call, Subscript, ListExpr, TupleExpr, DictExpr, Unary, Binary,
            IfExpr {
    }

    record Name(String id) implements Expr {}

    /** A literal: Long, Double, String, Boolean or null (None). */
    record Const(Object value) implements Expr {}

    record Attr(Expr target, String name) implements Expr {}

    record Keyword(String name, Expr value) {}

    record Call(Expr function, List<Expr> args, List<Keyword> keywords) implements Expr {
        Call {
            args = List.copyOf(args);
            keywords = List.copyOf(keywords);
        }
    }

    record Subscript(Expr target, Expr index) implements Expr {}

    record ListExpr(List<Expr> items) implements Expr {
        ListExpr {
            items = List.copyOf(items);
        }
    }

    record TupleExpr(List<Expr> items) implements Expr {
        TupleExpr {
            items = List.copyOf(items);
        }
    }

    record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {
        DictExpr {
            keys = List.copyOf(keys);
            values = List.copyOf(values);
        }
    }

    /** {@code not x}, {@code -x}. */
    record Unary(String op, Expr operand) implements Expr {}

    /** Arithmetic, comparisons, {@code is}, {@code and}/{@code or}. */
    record Binary(String op, Expr left, Expr right) implements Expr {}

    record IfExpr(Expr condition, Expr then, Expr otherwise) implements Expr {}

    /** A statement, with the line it starts on for messages. */
    sealed interface Stmt permits Assign, ExprStmt, Return, If, For, While, Pass, Break, Continue, FunctionDef,
            ClassDef {
        int line();
    }

    /** {@code a = v}, {@code a, b = v}, {@code a : T = v}; {@code value} is null for a bare annotation. */
    record Assign(List<Expr> targets, Expr annotation, Expr value, int line) implements Stmt {
        Assign {
            targets = List.copyOf(targets);
        }
    }

    record ExprStmt(Expr value, int line) implements Stmt {}

    record Return(Expr value, int line) implements Stmt {}

    record If(Expr condition, List<Stmt> then, List<Stmt> otherwise, int line) implements Stmt {
        If {
            then = List.copyOf(then);
            otherwise = List.copyOf(otherwise);
        }
    }

    record For(List<Expr> targets, Expr iterable, List<Stmt> body, int line) implements Stmt {
        For {
            targets = List.copyOf(targets);
            body = List.copyOf(body);
        }
    }

    record While(Expr condition, List<Stmt> body, int line) implements Stmt {
        While {
            body = List.copyOf(body);
        }
    }

    record Pass(int line) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}

    record Parameter(String name, Expr annotation, Expr defaultValue) {}

    record FunctionDef(String name, List<Parameter> parameters, List<Stmt> body, int line) implements Stmt {
        FunctionDef {
            parameters = List.copyOf(parameters);
            body = List.copyOf(body);
        }
    }

    record ClassDef(String name, List<Expr> bases, List<Stmt> body, int line) implements Stmt {
        ClassDef {
            bases = List.copyOf(bases);
            body = List.copyOf(body);
        }
    }
}
