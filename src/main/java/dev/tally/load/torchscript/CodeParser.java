package dev.tally.load.torchscript;

import dev.tally.ir.ModelException;
import dev.tally.load.torchscript.Ast.Expr;
import dev.tally.load.torchscript.Ast.Stmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses one serialized TorchScript code file into {@link Ast} statements. The grammar is the subset
 * PyTorch's Python printer emits; anything else is an error naming the file and line, so a construct Tally
 * does not know is never skipped silently.
 */
final class CodeParser {
    private enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, INDENT, DEDENT, END }

    private record Token(Kind kind, String text, Object value, int line) {}

    private static final Set<String> KEYWORDS_UNSUPPORTED = Set.of(
            "yield", "lambda", "with", "try", "except", "finally", "raise", "global", "nonlocal", "async", "await",
            "del", "import", "from", "assert");

    private final String fileName;
    private final String record;
    private final List<Token> tokens;
    private int pos;

    private CodeParser(String fileName, String record, List<Token> tokens) {
        this.fileName = fileName;
        this.record = record;
        this.tokens = tokens;
    }

    /** Parses {@code source}, the text of {@code record} in {@code fileName}. */
    static List<Stmt> parse(String fileName, String record, String source) {
        CodeParser parser = new CodeParser(fileName, record, tokenize(fileName, record, source));
        List<Stmt> statements = new ArrayList<>();
        while (parser.peek().kind != Kind.END) {
            if (parser.peek().kind == Kind.NEWLINE) {
                parser.pos++;
                continue;
            }
            statements.add(parser.statement());
        }
        return statements;
    }

    // ---- lexer -------------------------------------------------------------------------------------------

    private static List<Token> tokenize(String fileName, String record, String source) {
        List<Token> tokens = new ArrayList<>();
        List<Integer> indents = new ArrayList<>(List.of(0));
        int depth = 0;
        int line = 1;
        int i = 0;
        int n = source.length();
        boolean lineStart = true;
        while (i < n) {
            char c = source.charAt(i);
            if (lineStart && depth == 0) {
                int width = 0;
                int j = i;
                while (j < n && (source.charAt(j) == ' ' || source.charAt(j) == '\t')) {
                    width += source.charAt(j) == '\t' ? 8 - width % 8 : 1;
                    j++;
                }
                if (j >= n || source.charAt(j) == '\n' || source.charAt(j) == '#' || source.charAt(j) == '\r') {
                    while (j < n && source.charAt(j) != '\n') {
                        j++;
                    }
                    i = j + 1;
                    line++;
                    continue;
                }
                int current = indents.get(indents.size() - 1);
                if (width > current) {
                    indents.add(width);
                    tokens.add(new Token(Kind.INDENT, "", null, line));
                } else {
                    while (width < indents.get(indents.size() - 1)) {
                        indents.remove(indents.size() - 1);
                        tokens.add(new Token(Kind.DEDENT, "", null, line));
                    }
                    if (width != indents.get(indents.size() - 1)) {
                        throw error(fileName, record, line, "cannot interpret its indentation");
                    }
                }
                i = j;
                lineStart = false;
                continue;
            }
            if (c == '\n') {
                if (depth == 0) {
                    tokens.add(new Token(Kind.NEWLINE, "", null, line));
                    lineStart = true;
                }
                line++;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '\\' && i + 1 < n && source.charAt(i + 1) == '\n') {
                i += 2;
                line++;
            } else if (c == '#') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new Token(Kind.NAME, source.substring(start, i), null, line));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
                int start = i;
                boolean isFloat = false;
                while (i < n) {
                    char d = source.charAt(i);
                    if (Character.isDigit(d) || d == '_') {
                        i++;
                    } else if (d == '.' || d == 'e' || d == 'E') {
                        isFloat = true;
                        i++;
                        if ((d == 'e' || d == 'E') && i < n && (source.charAt(i) == '-' || source.charAt(i) == '+')) {
                            i++;
                        }
                    } else {
                        break;
                    }
                }
                String text = source.substring(start, i).replace("_", "");
                try {
                    Object value = isFloat ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text);
                    tokens.add(new Token(Kind.NUMBER, text, value, line));
                } catch (NumberFormatException e) {
                    throw error(fileName, record, line, "cannot interpret the number " + quoted(text));
                }
            } else if (c == '"' || c == '\'') {
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                while (j < n && source.charAt(j) != c) {
                    char d = source.charAt(j);
                    if (d == '\n') {
                        throw error(fileName, record, line, "cannot interpret an unterminated string");
                    }
                    if (d == '\\' && j + 1 < n) {
                        char e = source.charAt(++j);
                        text.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            case '0' -> '\0';
                            default -> e;
                        });
                    } else {
                        text.append(d);
                    }
                    j++;
                }
                if (j >= n) {
                    throw error(fileName, record, line, "cannot interpret an unterminated string");
                }
                tokens.add(new Token(Kind.STRING, text.toString(), text.toString(), line));
                i = j + 1;
            } else {
                String op = operator(source, i);
                if (op == null) {
                    throw error(fileName, record, line, "cannot interpret '" + c + "'");
                }
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    depth = Math.max(0, depth - 1);
                }
                tokens.add(new Token(Kind.OP, op, null, line));
                i += op.length();
            }
        }
        tokens.add(new Token(Kind.NEWLINE, "", null, line));
        while (indents.size() > 1) {
            indents.remove(indents.size() - 1);
            tokens.add(new Token(Kind.DEDENT, "", null, line));
        }
        tokens.add(new Token(Kind.END, "", null, line));
        return tokens;
    }

    private static final String[] OPERATORS = {
        "**", "//", "==", "!=", "<=", ">=", "->", "<<", ">>",
        "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "@"};

    private static String operator(String source, int i) {
        for (String op : OPERATORS) {
            if (source.startsWith(op, i)) {
                return op;
            }
        }
        return null;
    }

    // ---- parser ------------------------------------------------------------------------------------------

    private Stmt statement() {
        Token first = peek();
        int line = first.line;
        if (first.kind == Kind.NAME) {
            switch (first.text) {
                case "def":
                    return functionDef();
                case "class":
                    return classDef();
                case "if":
                    pos++;
                    return ifRest(line);
                case "for": {
                    pos++;
                    List<Expr> targets = targetList();
                    expectName("in");
                    Expr iterable = expression();
                    expectOp(":");
                    return new Ast.For(targets, iterable, block(), line);
                }
                case "while": {
                    pos++;
                    Expr condition = expression();
                    expectOp(":");
                    return new Ast.While(condition, block(), line);
                }
                case "return": {
                    pos++;
                    Expr value = peek().kind == Kind.NEWLINE ? null : expressionList();
                    endOfLine();
                    return new Ast.Return(value, line);
                }
                case "pass":
                    pos++;
                    endOfLine();
                    return new Ast.Pass(line);
                case "break":
                    pos++;
                    endOfLine();
                    return new Ast.Break(line);
                case "continue":
                    pos++;
                    endOfLine();
                    return new Ast.Continue(line);
                default:
                    if (KEYWORDS_UNSUPPORTED.contains(first.text)) {
                        throw error(line, "cannot interpret " + quoted(first.text));
                    }
            }
        }
        Expr head = expressionList();
        if (isOp(":")) {
            pos++;
            Expr annotation = expression();
            Expr value = null;
            if (isOp("=")) {
                pos++;
                value = expressionList();
            }
            endOfLine();
            return new Ast.Assign(List.of(head), annotation, value, line);
        }
        if (isOp("=")) {
            pos++;
            Expr value = expressionList();
            endOfLine();
            // `keep, = torch.where(mask)` unpacks a one-item list: its target stays a tuple, told apart from `keep = ...`.
            List<Expr> targets = head instanceof Ast.TupleExpr tuple && tuple.items().size() > 1 ? tuple.items() : List.of(head);
            return new Ast.Assign(targets, null, value, line);
        }
        endOfLine();
        return new Ast.ExprStmt(head, line);
    }

    private Stmt ifRest(int line) {
        Expr condition = expression();
        expectOp(":");
        List<Stmt> then = block();
        List<Stmt> otherwise = List.of();
        if (peek().kind == Kind.NAME && peek().text.equals("elif")) {
            int elifLine = peek().line;
            pos++;
            otherwise = List.of(ifRest(elifLine));
        } else if (peek().kind == Kind.NAME && peek().text.equals("else")) {
            pos++;
            expectOp(":");
            otherwise = block();
        }
        return new Ast.If(condition, then, otherwise, line);
    }

    private Ast.FunctionDef functionDef() {
        int line = next().line;
        String name = expectName();
        expectOp("(");
        List<Ast.Parameter> parameters = new ArrayList<>();
        while (!isOp(")")) {
            String parameter = expectName();
            Expr annotation = null;
            Expr defaultValue = null;
            if (isOp(":")) {
                pos++;
                annotation = expression();
            }
            if (isOp("=")) {
                pos++;
                defaultValue = expression();
            }
            parameters.add(new Ast.Parameter(parameter, annotation, defaultValue));
            if (!isOp(",")) {
                break;
            }
            pos++;
        }
        expectOp(")");
        if (isOp("->")) {
            pos++;
            expression();
        }
        expectOp(":");
        return new Ast.FunctionDef(name, parameters, block(), line);
    }

    private Ast.ClassDef classDef() {
        int line = next().line;
        String name = expectName();
        List<Expr> bases = new ArrayList<>();
        if (isOp("(")) {
            pos++;
            while (!isOp(")")) {
                bases.add(expression());
                if (!isOp(",")) {
                    break;
                }
                pos++;
            }
            expectOp(")");
        }
        expectOp(":");
        return new Ast.ClassDef(name, bases, block(), line);
    }

    /** An indented block, or a single statement on the same line ({@code if x: pass}). */
    private List<Stmt> block() {
        enter();
        try {
            return blockWithin();
        } finally {
            depth--;
        }
    }

    private List<Stmt> blockWithin() {
        List<Stmt> body = new ArrayList<>();
        if (peek().kind != Kind.NEWLINE) {
            body.add(statement());
            return body;
        }
        pos++;
        if (peek().kind != Kind.INDENT) {
            throw error(peek().line, "cannot interpret a block without an indented body");
        }
        pos++;
        while (peek().kind != Kind.DEDENT && peek().kind != Kind.END) {
            if (peek().kind == Kind.NEWLINE) {
                pos++;
                continue;
            }
            body.add(statement());
        }
        if (peek().kind == Kind.DEDENT) {
            pos++;
        }
        return body;
    }

    private List<Expr> targetList() {
        List<Expr> targets = new ArrayList<>();
        targets.add(postfix());
        while (isOp(",")) {
            pos++;
            if (peek().kind == Kind.NAME && peek().text.equals("in")) {
                break;
            }
            targets.add(postfix());
        }
        return targets;
    }

    /** {@code a, b, c} (a tuple, also with a trailing comma) or a single expression. */
    private Expr expressionList() {
        Expr first = expression();
        if (!isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (isOp(",")) {
            pos++;
            if (atExpressionEnd()) {
                break;
            }
            items.add(expression());
        }
        return new Ast.TupleExpr(items);
    }

    private boolean atExpressionEnd() {
        Token t = peek();
        return t.kind == Kind.NEWLINE || t.kind == Kind.END
                || (t.kind == Kind.OP && (t.text.equals("=") || t.text.equals(")") || t.text.equals("]")
                        || t.text.equals(":") || t.text.equals("}")));
    }

    /**
     * How deep expressions and blocks may nest. The parser and the interpreter recurse over the code, so a file
     * must not choose the depth; Python's own parser stops at 200 nested parentheses, and TorchScript's printer
     * writes far less.
     */
    static final int MAX_DEPTH = 200;
    private int depth;

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error(peek().line, "nests expressions or blocks deeper than " + MAX_DEPTH + " levels, which torch.jit.save never writes; the archive is damaged or hostile");
        }
    }

    private Expr expression() {
        enter();
        try {
            return expressionWithin();
        } finally {
            depth--;
        }
    }

    private Expr expressionWithin() {
        Expr value = orExpr();
        if (peek().kind == Kind.NAME && peek().text.equals("if")) {
            pos++;
            Expr condition = orExpr();
            expectName("else");
            Expr otherwise = expression();
            return new Ast.IfExpr(condition, value, otherwise);
        }
        return value;
    }

    private Expr orExpr() {
        Expr left = andExpr();
        while (isName("or")) {
            pos++;
            left = new Ast.Binary("or", left, andExpr());
        }
        return left;
    }

    private Expr andExpr() {
        Expr left = notExpr();
        while (isName("and")) {
            pos++;
            left = new Ast.Binary("and", left, notExpr());
        }
        return left;
    }

    private Expr notExpr() {
        if (isName("not")) {
            pos++;
            return new Ast.Unary("not", notExpr());
        }
        return comparison();
    }

    private Expr comparison() {
        Expr left = bitOr();
        while (true) {
            Token t = peek();
            String op = null;
            if (t.kind == Kind.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text)) {
                op = t.text;
                pos++;
            } else if (isName("is")) {
                pos++;
                op = "is";
                if (isName("not")) {
                    pos++;
                    op = "is not";
                }
            } else if (isName("in")) {
                pos++;
                op = "in";
            } else if (isName("not") && tokens.get(pos + 1).kind == Kind.NAME && tokens.get(pos + 1).text.equals("in")) {
                pos += 2;
                op = "not in";
            }
            if (op == null) {
                return left;
            }
            left = new Ast.Binary(op, left, bitOr());
        }
    }

    private Expr bitOr() {
        Expr left = bitAnd();
        while (isOp("|") || isOp("^")) {
            String op = next().text;
            left = new Ast.Binary(op, left, bitAnd());
        }
        return left;
    }

    private Expr bitAnd() {
        Expr left = arith();
        while (isOp("&")) {
            pos++;
            left = new Ast.Binary("&", left, arith());
        }
        return left;
    }

    private Expr arith() {
        Expr left = term();
        while (isOp("+") || isOp("-")) {
            String op = next().text;
            left = new Ast.Binary(op, left, term());
        }
        return left;
    }

    private Expr term() {
        Expr left = unary();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%") || isOp("@")) {
            String op = next().text;
            left = new Ast.Binary(op, left, unary());
        }
        return left;
    }

    private Expr unary() {
        enter();
        try {
            return unaryWithin();
        } finally {
            depth--;
        }
    }

    private Expr unaryWithin() {
        if (isOp("-") || isOp("+") || isOp("~")) {
            String op = next().text;
            return new Ast.Unary(op, unary());
        }
        Expr base = postfix();
        if (isOp("**")) {
            pos++;
            return new Ast.Binary("**", base, unary());
        }
        return base;
    }

    private Expr postfix() {
        Expr value = atom();
        while (true) {
            if (isOp(".")) {
                pos++;
                value = new Ast.Attr(value, expectName());
            } else if (isOp("(")) {
                pos++;
                List<Expr> args = new ArrayList<>();
                List<Ast.Keyword> keywords = new ArrayList<>();
                while (!isOp(")")) {
                    if (peek().kind == Kind.NAME && tokens.get(pos + 1).kind == Kind.OP && tokens.get(pos + 1).text.equals("=")) {
                        String name = next().text;
                        pos++;
                        keywords.add(new Ast.Keyword(name, expression()));
                    } else {
                        if (isOp("*")) {
                            throw error(peek().line, "cannot interpret '*' in a call");
                        }
                        args.add(expression());
                    }
                    if (!isOp(",")) {
                        break;
                    }
                    pos++;
                }
                expectOp(")");
                value = new Ast.Call(value, args, keywords);
            } else if (isOp("[")) {
                pos++;
                Expr index = expressionList();
                if (isOp(":")) {
                    throw error(peek().line, "cannot interpret a slice");
                }
                expectOp("]");
                value = new Ast.Subscript(value, index);
            } else {
                return value;
            }
        }
    }

    private Expr atom() {
        Token t = next();
        switch (t.kind) {
            case NUMBER:
            case STRING:
                if (t.kind == Kind.STRING) {
                    StringBuilder text = new StringBuilder((String) t.value);
                    while (peek().kind == Kind.STRING) {
                        text.append((String) next().value);
                    }
                    return new Ast.Const(text.toString());
                }
                return new Ast.Const(t.value);
            case NAME:
                switch (t.text) {
                    case "None":
                        return new Ast.Const(null);
                    case "True":
                        return new Ast.Const(Boolean.TRUE);
                    case "False":
                        return new Ast.Const(Boolean.FALSE);
                    default:
                        if (KEYWORDS_UNSUPPORTED.contains(t.text)) {
                            throw error(t.line, "cannot interpret " + quoted(t.text));
                        }
                        return new Ast.Name(t.text);
                }
            case OP:
                if (t.text.equals("(")) {
                    if (isOp(")")) {
                        pos++;
                        return new Ast.TupleExpr(List.of());
                    }
                    Expr first = expression();
                    if (isOp(")")) {
                        pos++;
                        return first;
                    }
                    List<Expr> items = new ArrayList<>(List.of(first));
                    while (isOp(",")) {
                        pos++;
                        if (isOp(")")) {
                            break;
                        }
                        items.add(expression());
                    }
                    expectOp(")");
                    return new Ast.TupleExpr(items);
                }
                if (t.text.equals("[")) {
                    List<Expr> items = new ArrayList<>();
                    while (!isOp("]")) {
                        items.add(expression());
                        if (!isOp(",")) {
                            break;
                        }
                        pos++;
                    }
                    expectOp("]");
                    return new Ast.ListExpr(items);
                }
                if (t.text.equals("{")) {
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!isOp("}")) {
                        keys.add(expression());
                        expectOp(":");
                        values.add(expression());
                        if (!isOp(",")) {
                            break;
                        }
                        pos++;
                    }
                    expectOp("}");
                    return new Ast.DictExpr(keys, values);
                }
                throw error(t.line, "cannot interpret " + quoted(t.text));
            default:
                throw error(t.line, "cannot interpret the end of the line here");
        }
    }

    // ---- token helpers -----------------------------------------------------------------------------------

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private boolean isOp(String op) {
        Token t = peek();
        return t.kind == Kind.OP && t.text.equals(op);
    }

    private boolean isName(String name) {
        Token t = peek();
        return t.kind == Kind.NAME && t.text.equals(name);
    }

    private void expectOp(String op) {
        if (!isOp(op)) {
            throw unexpected("'" + op + "'");
        }
        pos++;
    }

    private String expectName() {
        if (peek().kind != Kind.NAME) {
            throw unexpected("a name");
        }
        return next().text;
    }

    private void expectName(String name) {
        if (!isName(name)) {
            throw unexpected("'" + name + "'");
        }
        pos++;
    }

    private void endOfLine() {
        if (peek().kind == Kind.NEWLINE) {
            pos++;
        } else if (peek().kind != Kind.DEDENT && peek().kind != Kind.END) {
            throw unexpected("the end of the line");
        }
    }

    private ModelException unexpected(String expected) {
        Token t = peek();
        String found = switch (t.kind) {
            case NEWLINE -> "the end of the line";
            case INDENT, DEDENT -> "a change of indentation";
            case END -> "the end of the file";
            default -> quoted(t.text);
        };
        if (t.kind == Kind.NAME && KEYWORDS_UNSUPPORTED.contains(t.text)) {
            return error(t.line, "cannot interpret " + quoted(t.text));
        }
        return error(t.line, "cannot interpret " + found + " where " + expected + " should be");
    }

    private ModelException error(int line, String what) {
        return error(fileName, record, line, what);
    }

    /**
     * A token's text quoted for a message, cut after 60 characters: a string or a number token can run a whole line of
     * the file (the code fuzzer found a 2,000-character string quoted whole), and a message names it, not copies it.
     */
    static String quoted(String text) {
        return "'" + (text.length() <= 60 ? text : text.substring(0, 60) + "...") + "'";
    }

    static ModelException error(String fileName, String record, int line, String what) {
        return new ModelException(fileName + ": " + record + ":" + line + ": " + what + ".");
    }
}
