package dev.tally.analysis;

import java.util.Arrays;
import java.util.List;

/**
 * One side of a derivation line as data: the same tree prints in symbols ({@code K_h x K_w x C_in/g}) and with the
 * numbers substituted ({@code 11 x 11 x 3}), and evaluates to the line's result with exact long arithmetic. A
 * derivation therefore cannot print one formula in symbols and another in numbers.
 */
public sealed interface Expr {

    /** The exact value; a division that is not exact, or an overflow, is a bug in the rule that built the tree. */
    long value();

    /** A named quantity: {@code K_h} in symbols, {@code 11} in numbers. */
    record Term(String symbol, long value) implements Expr {
        public Term {
            if (symbol == null || symbol.isEmpty()) {
                throw new IllegalArgumentException("A term needs a symbol.");
            }
        }
    }

    /** A literal that reads the same in both forms: the {@code + 1} of a bias, the {@code 2} of a clamp. */
    record Num(long value) implements Expr {
    }

    /**
     * A quantity named in symbols by {@code symbol} and written out in numbers as {@code inner}: {@code numel(W)}
     * in symbols, {@code 64 x 3 x 11 x 11} in numbers.
     */
    record Named(String symbol, Expr inner) implements Expr {
        @Override
        public long value() {
            return inner.value();
        }
    }

    /** Two operands and an operator; {@link Operator#DIVIDE} must divide exactly (use {@link Rounded} otherwise). */
    record Binary(Operator operator, Expr left, Expr right) implements Expr {
        @Override
        public long value() {
            long a = left.value();
            long b = right.value();
            return switch (operator) {
                case PLUS -> Math.addExact(a, b);
                case MINUS -> Math.subtractExact(a, b);
                case TIMES -> Math.multiplyExact(a, b);
                case DIVIDE -> {
                    if (b == 0 || a % b != 0) {
                        throw new ArithmeticException("Division " + a + " / " + b + " is not exact; use floor or ceil.");
                    }
                    yield a / b;
                }
                case POWER -> {
                    if (b < 0) {
                        throw new ArithmeticException("Negative exponent " + b + ".");
                    }
                    long result = 1;
                    for (long i = 0; i < b; i++) {
                        result = Math.multiplyExact(result, a);
                    }
                    yield result;
                }
            };
        }
    }

    /** {@code floor(numerator / denominator)} or {@code ceil(...)}. */
    record Rounded(boolean ceil, Expr numerator, Expr denominator) implements Expr {
        @Override
        public long value() {
            long a = numerator.value();
            long b = denominator.value();
            if (b == 0) {
                throw new ArithmeticException("Division by zero.");
            }
            return ceil ? -Math.floorDiv(-a, b) : Math.floorDiv(a, b);
        }
    }

    /** The operators, loosest binding first; text, markdown and LaTeX spell them in their own way. */
    enum Operator {
        PLUS(1), MINUS(1), TIMES(2), DIVIDE(2), POWER(3);

        private final int precedence;

        Operator(int precedence) {
            this.precedence = precedence;
        }

        public int precedence() {
            return precedence;
        }
    }

    static Term term(String symbol, long value) {
        return new Term(symbol, value);
    }

    static Num num(long value) {
        return new Num(value);
    }

    static Expr plus(Expr first, Expr... rest) {
        return fold(Operator.PLUS, first, rest);
    }

    static Expr minus(Expr left, Expr right) {
        return new Binary(Operator.MINUS, left, right);
    }

    static Expr times(Expr first, Expr... rest) {
        return fold(Operator.TIMES, first, rest);
    }

    /** The product of {@code factors}, {@code 1} when there are none. */
    static Expr product(List<? extends Expr> factors) {
        return factors.isEmpty() ? num(1) : fold(Operator.TIMES, factors.get(0), factors.subList(1, factors.size()).toArray(Expr[]::new));
    }

    /** The sum of {@code terms}, {@code 0} when there are none. */
    static Expr sum(List<? extends Expr> terms) {
        return terms.isEmpty() ? num(0) : fold(Operator.PLUS, terms.get(0), terms.subList(1, terms.size()).toArray(Expr[]::new));
    }

    /** An exact division. */
    static Expr over(Expr numerator, Expr denominator) {
        return new Binary(Operator.DIVIDE, numerator, denominator);
    }

    static Expr power(Expr base, Expr exponent) {
        return new Binary(Operator.POWER, base, exponent);
    }

    static Expr floor(Expr numerator, Expr denominator) {
        return new Rounded(false, numerator, denominator);
    }

    static Expr ceil(Expr numerator, Expr denominator) {
        return new Rounded(true, numerator, denominator);
    }

    private static Expr fold(Operator operator, Expr first, Expr[] rest) {
        return Arrays.stream(rest).reduce(first, (a, b) -> new Binary(operator, a, b));
    }
}
