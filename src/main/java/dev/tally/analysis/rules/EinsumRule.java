package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Einsum ({@code "bhqd,bhkd->bhqk"}, ellipsis and implicit output too): output dims by label. Operands are
 * contracted left to right; each pairwise step costs {@code macs = ops = product of the sizes of every label of the
 * two operands} (output shape times contracted dims); a lone operand that sums labels away costs
 * {@code numel(X) - numel(Y)} adds (docs/conventions.md).
 */
public final class EinsumRule implements OpRule {
    /** Ellipsis dims become labels from this private range, so they are ordinary labels afterwards. */
    private static final char ELLIPSIS_BASE = '\u0100';

    @Override
    public List<String> inputs() {
        return List.of("Inputs...");
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        Parsed parsed = parse(ctx);
        long[] out = new long[parsed.output.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = parsed.sizes.get(parsed.output.charAt(i));
        }
        return List.of(TensorInfo.of(ctx.variadic("Inputs").get(0).dtype(), Shape.of(out)));
    }

    @Override
    public Cost cost(OpContext ctx) {
        Parsed parsed = parse(ctx);
        List<String> operands = parsed.operands;
        if (operands.size() == 1) {
            long in = product(parsed, labels(operands.get(0)));
            long out = product(parsed, labels(parsed.output));
            return Cost.ops(in - out);
        }
        long macs = 0;
        Set<Character> current = labels(operands.get(0));
        for (int i = 1; i < operands.size(); i++) {
            Set<Character> union = new LinkedHashSet<>(current);
            union.addAll(labels(operands.get(i)));
            macs = Math.addExact(macs, product(parsed, union));
            Set<Character> needed = labels(parsed.output);
            for (int j = i + 1; j < operands.size(); j++) {
                needed.addAll(labels(operands.get(j)));
            }
            union.retainAll(needed);
            current = union;
        }
        return new Cost(macs, macs);
    }

    private record Parsed(List<String> operands, String output, Map<Character, Long> sizes) {
    }

    private static Parsed parse(OpContext ctx) {
        String equation = ctx.attrString("equation", "").replace(" ", "");
        List<TensorInfo> inputs = ctx.variadic("Inputs");
        String[] sides = equation.split("->", -1);
        String[] terms = sides[0].split(",", -1);
        if (equation.isEmpty() || sides.length > 2 || terms.length != inputs.size()) {
            throw ctx.fail("attribute 'equation' is '" + equation + "', which does not name " + inputs.size() + " operands");
        }
        Map<Character, Long> sizes = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        int ellipsisRank = 0;
        for (int t = 0; t < terms.length; t++) {
            String term = terms[t];
            Shape shape = inputs.get(t).shape();
            int explicit = term.replace("...", "").length();
            int ellipsis = term.contains("...") ? shape.rank() - explicit : 0;
            if (ellipsis < 0 || (!term.contains("...") && explicit != shape.rank())) {
                throw ctx.fail("operand " + t + " '" + term + "' has " + explicit + " labels but its input has shape " + shape);
            }
            ellipsisRank = Math.max(ellipsisRank, ellipsis);
            StringBuilder labels = new StringBuilder();
            int axis = 0;
            for (int i = 0; i < term.length(); i++) {
                if (term.startsWith("...", i)) {
                    for (int e = 0; e < ellipsis; e++) {
                        // Ellipsis dims are right-aligned across operands, as numpy broadcasting aligns them.
                        char label = (char) (ELLIPSIS_BASE + (ellipsis - 1 - e));
                        labels.append(label);
                        bind(ctx, sizes, label, shape.dim(axis++), true);
                    }
                    i += 2;
                } else {
                    char label = term.charAt(i);
                    labels.append(label);
                    bind(ctx, sizes, label, shape.dim(axis++), false);
                }
            }
            operands.add(labels.toString());
        }
        StringBuilder ellipsisLabels = new StringBuilder();
        for (int e = ellipsisRank - 1; e >= 0; e--) {
            ellipsisLabels.append((char) (ELLIPSIS_BASE + e));
        }
        String output;
        if (sides.length == 2) {
            output = sides[1].replace("...", ellipsisLabels.toString());
        } else {
            // Implicit output: the ellipsis dims, then the labels used once, in alphabetical order.
            Map<Character, Integer> counts = new java.util.TreeMap<>();
            for (String operand : operands) {
                for (char c : operand.toCharArray()) {
                    if (c < ELLIPSIS_BASE) {
                        counts.merge(c, 1, Integer::sum);
                    }
                }
            }
            StringBuilder implicit = new StringBuilder(ellipsisLabels);
            counts.forEach((c, n) -> {
                if (n == 1) {
                    implicit.append(c);
                }
            });
            output = implicit.toString();
        }
        for (char c : output.toCharArray()) {
            if (!sizes.containsKey(c)) {
                throw ctx.fail("attribute 'equation' is '" + equation + "'; output label '" + c + "' is in no operand");
            }
        }
        return new Parsed(operands, output, sizes);
    }

    private static void bind(OpContext ctx, Map<Character, Long> sizes, char label, long size, boolean broadcasts) {
        Long known = sizes.get(label);
        if (known == null || (broadcasts && known == 1)) {
            sizes.put(label, size);
        } else if (known != size && !(broadcasts && size == 1)) {
            throw ctx.fail("label '" + (label >= ELLIPSIS_BASE ? "..." : String.valueOf(label)) + "' has sizes " + known
                    + " and " + size + " in attribute 'equation' '" + ctx.attrString("equation", "") + "'");
        }
    }

    private static Set<Character> labels(String operand) {
        Set<Character> set = new LinkedHashSet<>();
        for (char c : operand.toCharArray()) {
            set.add(c);
        }
        return set;
    }

    private static long product(Parsed parsed, Set<Character> labels) {
        long n = 1;
        for (char c : labels) {
            n = Math.multiplyExact(n, parsed.sizes.get(c));
        }
        return n;
    }

    /** Each pairwise step's label sizes multiplied, the steps summed; a lone operand {@code numel(X) - numel(Y)}. */
    @Override
    public Derivation derive(OpContext ctx) {
        Parsed parsed = parse(ctx);
        List<String> operands = parsed.operands;
        Derivation.Builder lines = Derivation.of("Einsum");
        if (operands.size() == 1) {
            Expr ops = Expr.minus(labelProduct(parsed, labels(operands.get(0))), labelProduct(parsed, labels(parsed.output)));
            return lines.line(Quantity.OPS, "ops", ops, "", "sums over the labels that are not in the output").build();
        }
        List<Expr> steps = new ArrayList<>();
        Set<Character> current = labels(operands.get(0));
        for (int i = 1; i < operands.size(); i++) {
            Set<Character> union = new LinkedHashSet<>(current);
            union.addAll(labels(operands.get(i)));
            steps.add(labelProduct(parsed, union));
            Set<Character> needed = labels(parsed.output);
            for (int j = i + 1; j < operands.size(); j++) {
                needed.addAll(labels(operands.get(j)));
            }
            union.retainAll(needed);
            current = union;
        }
        Expr macs = Expr.sum(steps);
        return lines.line(Quantity.MACS, "macs", macs, "", "the sizes of every label of each pairwise step")
                .line(Quantity.OPS, "ops", macs).build();
    }

    private static Expr labelProduct(Parsed parsed, Set<Character> labels) {
        List<Expr> factors = new ArrayList<>();
        for (char c : labels) {
            String name = c >= ELLIPSIS_BASE ? "e" + (c - ELLIPSIS_BASE) : String.valueOf(c);
            factors.add(Expr.term(name, parsed.sizes.get(c)));
        }
        return Expr.product(factors);
    }
}
