package dev.tally.analysis;

import java.util.List;

/**
 * The rule for one op: how its output shapes follow from its inputs, and what it costs. Both live in one
 * class so the two formulas can be read side by side. Rules are registered in {@link RuleTable}.
 */
public interface OpRule {

    /**
     * The op's inputs in argument order, named as its spec names them. A trailing {@code ?} marks an optional
     * input ({@code "B?"}); a trailing {@code ...} marks a variadic last input ({@code "inputs..."}).
     * Rules read inputs through {@link OpContext#input(String)} by these names, never by bare position.
     */
    List<String> inputs();

    /** The node's output types, in output order; values are filled in when the inputs' values are known. */
    List<TensorInfo> inferShapes(OpContext ctx);

    /** The node's cost; {@link OpContext#output(int)} is available here. Zero unless the op computes something. */
    default Cost cost(OpContext ctx) {
        return Cost.ZERO;
    }

    /**
     * How the node's output sizes, params and cost follow from its own numbers, written as {@link #cost} computes
     * them ({@link OpContext#output(int)} is available). Rules with params or a nonzero count override it; the
     * default says plainly that there is none rather than print a wrong one.
     */
    default Derivation derive(OpContext ctx) {
        return Derivation.none(ctx.node().opType());
    }
}
