package dev.tally.report.explain;

import dev.tally.analysis.Derivation;
import dev.tally.analysis.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes an {@link Expr} in symbols or with its numbers, as plain text ({@code (11 x 11 x 3 + 1) x 64}) or as LaTeX
 * math ({@code \left(11 \times 11 \times 3 + 1\right) \times 64}), with the fewest parentheses that keep the
 * arithmetic the tree's: a printed line evaluates, left to right with the usual precedence, to its value.
 */
public enum ExprFormat {
    TEXT,
    LATEX;

    /** The whole line: {@code label = symbols = numbers = value unit}, repeating no part that reads the same. */
    public String line(Derivation.Line line) {
        List<String> parts = new ArrayList<>();
        parts.add(symbol(line.label()));
        for (String part : List.of(symbolic(line.expr()), substituted(line.expr()), number(line.value()))) {
            if (!part.equals(parts.get(parts.size() - 1))) {
                parts.add(part);
            }
        }
        String joined = String.join(this == TEXT ? " = " : " = ", parts);
        if (!line.unit().isEmpty()) {
            joined += this == TEXT ? " " + line.unit() : "\\ \\mathrm{" + line.unit() + "}";
        }
        return joined;
    }

    public String symbolic(Expr expr) {
        return render(expr, true);
    }

    public String substituted(Expr expr) {
        return render(expr, false);
    }

    /** A count with thousands separators: {@code 23,296}, in LaTeX {@code 23{,}296}. */
    public String number(long value) {
        String grouped = String.format(Locale.ROOT, "%,d", value);
        return this == TEXT ? grouped : grouped.replace(",", "{,}");
    }

    /** A symbol: {@code K_h} as it is in text, {@code K_{h}} in LaTeX, words upright. */
    public String symbol(String name) {
        if (this == TEXT) {
            return name;
        }
        if (name.contains(".") || name.contains("(")) {
            return "\\mathrm{" + escapeMath(name) + "}";
        }
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/", -1)) {
            if (out.length() > 0) {
                out.append("/");
            }
            int underscore = part.indexOf('_');
            String base = underscore < 0 ? part : part.substring(0, underscore);
            String sub = underscore < 0 ? "" : part.substring(underscore + 1);
            out.append(base.length() > 1 ? "\\mathrm{" + escapeMath(base) + "}" : base);
            if (!sub.isEmpty()) {
                out.append("_{").append(sub.length() > 1 ? "\\mathrm{" + escapeMath(sub) + "}" : sub).append("}");
            }
        }
        return out.toString();
    }

    private String render(Expr expr, boolean symbolic) {
        if (expr instanceof Expr.Term t) {
            return symbolic ? symbol(t.symbol()) : number(t.value());
        }
        if (expr instanceof Expr.Num n) {
            return number(n.value());
        }
        if (expr instanceof Expr.Named named) {
            return symbolic ? symbol(named.symbol()) : render(named.inner(), false);
        }
        if (expr instanceof Expr.Rounded r) {
            if (this == TEXT) {
                return (r.ceil() ? "ceil(" : "floor(") + operand(r.numerator(), Expr.Operator.DIVIDE, false, symbolic)
                        + " / " + operand(r.denominator(), Expr.Operator.DIVIDE, true, symbolic) + ")";
            }
            return (r.ceil() ? "\\left\\lceil " : "\\left\\lfloor ") + "\\frac{" + render(r.numerator(), symbolic) + "}{"
                    + render(r.denominator(), symbolic) + "}" + (r.ceil() ? " \\right\\rceil" : " \\right\\rfloor");
        }
        Expr.Binary b = (Expr.Binary) expr;
        if (this == LATEX && b.operator() == Expr.Operator.DIVIDE) {
            return "\\frac{" + render(b.left(), symbolic) + "}{" + render(b.right(), symbolic) + "}";
        }
        if (this == LATEX && b.operator() == Expr.Operator.POWER) {
            return operand(b.left(), b.operator(), false, symbolic) + "^{" + render(b.right(), symbolic) + "}";
        }
        String op = switch (b.operator()) {
            case PLUS -> " + ";
            case MINUS -> " - ";
            case TIMES -> this == TEXT ? " x " : " \\times ";
            case DIVIDE -> " / ";
            case POWER -> "^";
        };
        return operand(b.left(), b.operator(), false, symbolic) + op + operand(b.right(), b.operator(), true, symbolic);
    }

    private String operand(Expr child, Expr.Operator parent, boolean right, boolean symbolic) {
        String text = render(child, symbolic);
        return needsParentheses(child, parent, right, symbolic) ? open() + text + close() : text;
    }

    /** Parentheses where the printed text would otherwise group differently from the tree. */
    private boolean needsParentheses(Expr child, Expr.Operator parent, boolean right, boolean symbolic) {
        Expr inner = child;
        if (child instanceof Expr.Named named) {
            if (symbolic) {
                return false;
            }
            inner = named.inner();
        }
        if (!(inner instanceof Expr.Binary b)) {
            return false;
        }
        if (this == LATEX && b.operator() == Expr.Operator.DIVIDE) {
            return false;
        }
        int own = b.operator().precedence();
        int outer = parent.precedence();
        if (parent == Expr.Operator.POWER) {
            return true;
        }
        if (own != outer) {
            return own < outer;
        }
        // Same level: a - (b + c), a / (b x c) need them; a x (b / c) does not change an exact product's value.
        return right && (parent == Expr.Operator.MINUS || parent == Expr.Operator.DIVIDE);
    }

    private String open() {
        return this == TEXT ? "(" : "\\left(";
    }

    private String close() {
        return this == TEXT ? ")" : "\\right)";
    }

    /** Text inside {@code \mathrm{...}}: LaTeX's special characters escaped. */
    static String escapeMath(String text) {
        return text.replace("\\", "\\backslash ").replace("_", "\\_").replace("#", "\\#").replace("%", "\\%")
                .replace("&", "\\&").replace("$", "\\$").replace("{", "\\{").replace("}", "\\}")
                .replace("~", "\\sim ").replace("^", "\\wedge ");
    }
}
