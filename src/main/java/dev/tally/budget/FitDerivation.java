package dev.tally.budget;

import static dev.tally.analysis.Expr.floor;
import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.plus;
import static dev.tally.analysis.Expr.power;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.report.Units;
import java.util.Optional;

/**
 * How {@code tally fit} reaches its answer, as derivation lines (issue 16): by the largest activation, which grows
 * linearly with the batch, {@code B = floor(M / (A x s))}; by the peak, found by a search, the two inequalities that
 * decide it, {@code memory(B) <= M} and {@code memory(B+1) > M}.
 */
public final class FitDerivation {
    private FitDerivation() {
    }

    /** The lines explaining {@code result}; empty when not even batch 1 fits or the search stopped at its limit. */
    public static Optional<Derivation> of(BatchFit.Result result) {
        if (!result.fits() || result.next().isEmpty()) {
            return Optional.empty();
        }
        if (result.by() == BatchFit.By.LARGEST) {
            Optional<Derivation> formula = largest(result);
            if (formula.isPresent()) {
                return formula;
            }
        }
        return Optional.of(inequalities(result));
    }

    /** {@code M}: in GiB, MiB or KiB when the memory is a whole number of them, else in bytes. */
    static Expr memory(long limit) {
        for (int exponent : new int[] {30, 20, 10}) {
            long unit = 1L << exponent;
            if (limit >= unit && limit % unit == 0) {
                return new Expr.Named("M", times(num(limit / unit), power(num(2), num(exponent))));
            }
        }
        return term("M", limit);
    }

    /**
     * The closed form, when the largest activation at batch 1 is a whole number of elements of the first input's
     * element size and the formula gives the batch the search found (the activation grows linearly with the batch).
     */
    private static Optional<Derivation> largest(BatchFit.Result result) {
        BatchFit.Point one = result.table().get(0);
        if (one.batch() != 1 || result.inputs().isEmpty()) {
            return Optional.empty();
        }
        long s = result.inputs().get(0).dtype().byteSize();
        if (s <= 0 || one.bytes() % s != 0) {
            return Optional.empty();
        }
        Expr b = floor(memory(result.limit()), times(term("A", one.bytes() / s), term("s", s)));
        if (b.value() != result.batch()) {
            return Optional.empty();
        }
        return Optional.of(Derivation.of("largest batch")
                .line(Quantity.RESULT, "B", b, "", "M bytes of memory, A elements of s bytes each in the largest activation at batch 1")
                .build());
    }

    private static Derivation inequalities(BatchFit.Result result) {
        long limit = result.limit();
        BatchFit.Point at = result.at();
        BatchFit.Point next = result.next().get();
        String m = Units.exact(limit) + " B";
        Derivation.Builder lines = Derivation.of("largest batch");
        if (result.by() == BatchFit.By.PEAK) {
            long w = result.weightBytes();
            lines.line(Quantity.RESULT, "memory(" + at.batch() + ")", plus(term("weights", w),
                    term("peak(" + at.batch() + ")", at.bytes() - w)), "B", "<= M = " + m + ": fits");
            lines.line(Quantity.RESULT, "memory(" + next.batch() + ")", plus(term("weights", w),
                    term("peak(" + next.batch() + ")", next.bytes() - w)), "B", "> M = " + m + ": does not fit");
        } else {
            String figure = result.by() == BatchFit.By.TRAINING ? "training" : "largest";
            lines.line(Quantity.RESULT, "memory(" + at.batch() + ")", term(figure + "(" + at.batch() + ")", at.bytes()), "B",
                    "<= M = " + m + ": fits");
            lines.line(Quantity.RESULT, "memory(" + next.batch() + ")", term(figure + "(" + next.batch() + ")", next.bytes()),
                    "B", "> M = " + m + ": does not fit");
        }
        return lines.build();
    }
}
