package dev.tally.report.explain;

import java.math.BigInteger;

/**
 * A small evaluator for the numbers side of a printed derivation, written apart from Tally's own {@code Expr} so a
 * test checks the text a person reads: integers with thousands separators ({@code 4,194,304}), {@code + - x /},
 * {@code ^}, parentheses, {@code floor(...)} and {@code ceil(...)}. Arithmetic is on exact fractions, so
 * {@code 7 / 2} outside a floor is 7/2, not 3, and a line whose value is not the whole number printed fails.
 */
public final class Arithmetic {
    private final String text;
    private int at;

    private Arithmetic(String text) {
        this.text = text;
    }

    /** The exact value of {@code text}; throws when it is not a whole number or not well formed. */
    public static BigInteger evaluate(String text) {
        Arithmetic parser = new Arithmetic(text);
        Fraction value = parser.sum();
        parser.spaces();
        if (parser.at != text.length()) {
            throw new IllegalArgumentException("Unexpected '" + text.substring(parser.at) + "' in '" + text + "'.");
        }
        if (!value.den.equals(BigInteger.ONE)) {
            throw new IllegalArgumentException("'" + text + "' is " + value.num + "/" + value.den + ", not a whole number.");
        }
        return value.num;
    }

    private record Fraction(BigInteger num, BigInteger den) {
        static Fraction of(BigInteger num, BigInteger den) {
            if (den.signum() == 0) {
                throw new ArithmeticException("Division by zero.");
            }
            if (den.signum() < 0) {
                num = num.negate();
                den = den.negate();
            }
            BigInteger g = num.gcd(den);
            return g.signum() == 0 ? new Fraction(num, BigInteger.ONE) : new Fraction(num.divide(g), den.divide(g));
        }

        Fraction plus(Fraction o) {
            return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
        }

        Fraction minus(Fraction o) {
            return of(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
        }

        Fraction times(Fraction o) {
            return of(num.multiply(o.num), den.multiply(o.den));
        }

        Fraction over(Fraction o) {
            return of(num.multiply(o.den), den.multiply(o.num));
        }

        Fraction floor() {
            BigInteger[] qr = num.divideAndRemainder(den);
            BigInteger q = qr[0];
            if (qr[1].signum() < 0) {
                q = q.subtract(BigInteger.ONE);
            }
            return of(q, BigInteger.ONE);
        }

        Fraction ceil() {
            return of(num.negate(), den).floor().times(of(BigInteger.ONE.negate(), BigInteger.ONE));
        }
    }

    private Fraction sum() {
        Fraction value = product();
        while (true) {
            spaces();
            if (eat("+")) {
                value = value.plus(product());
            } else if (eat("- ")) {
                value = value.minus(product());
            } else {
                return value;
            }
        }
    }

    private Fraction product() {
        Fraction value = power();
        while (true) {
            spaces();
            if (eat("x ")) {
                value = value.times(power());
            } else if (eat("/")) {
                value = value.over(power());
            } else {
                return value;
            }
        }
    }

    private Fraction power() {
        Fraction base = atom();
        if (eat("^")) {
            Fraction exponent = power();
            if (!exponent.den.equals(BigInteger.ONE) || exponent.num.signum() < 0) {
                throw new IllegalArgumentException("Exponent must be a whole number in '" + text + "'.");
            }
            Fraction result = Fraction.of(BigInteger.ONE, BigInteger.ONE);
            for (int i = 0; i < exponent.num.intValueExact(); i++) {
                result = result.times(base);
            }
            return result;
        }
        return base;
    }

    private Fraction atom() {
        spaces();
        if (eat("floor(")) {
            Fraction inner = sum();
            expect(")");
            return inner.floor();
        }
        if (eat("ceil(")) {
            Fraction inner = sum();
            expect(")");
            return inner.ceil();
        }
        if (eat("(")) {
            Fraction inner = sum();
            expect(")");
            return inner;
        }
        if (eat("-")) {
            // A negative number, as a receptive field's start is written: -1 - 1 x 1.
            return atom().times(Fraction.of(BigInteger.ONE.negate(), BigInteger.ONE));
        }
        int start = at;
        while (at < text.length() && (Character.isDigit(text.charAt(at))
                || (text.charAt(at) == ',' && at + 1 < text.length() && Character.isDigit(text.charAt(at + 1))))) {
            at++;
        }
        if (start == at) {
            throw new IllegalArgumentException("Expected a number at '" + text.substring(at) + "' in '" + text + "'.");
        }
        return Fraction.of(new BigInteger(text.substring(start, at).replace(",", "")), BigInteger.ONE);
    }

    private void expect(String token) {
        spaces();
        if (!eat(token)) {
            throw new IllegalArgumentException("Expected '" + token + "' at '" + text.substring(at) + "' in '" + text + "'.");
        }
    }

    private boolean eat(String token) {
        spaces();
        if (text.startsWith(token, at)) {
            at += token.length();
            return true;
        }
        return false;
    }

    private void spaces() {
        while (at < text.length() && text.charAt(at) == ' ') {
            at++;
        }
    }
}
