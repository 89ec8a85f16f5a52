package dev.tally.report.explain;

import static dev.tally.analysis.Expr.num;
import static dev.tally.analysis.Expr.term;
import static dev.tally.analysis.Expr.times;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Convention;
import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Line;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.Expr;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.ResolvedInput;
import dev.tally.analysis.RuleTable;
import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.analysis.rules.Derive;
import dev.tally.ir.ModelException;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds an {@link Explanation}: each chosen node's derivation from its rule ({@link OpRule#derive}), checked against
 * the figures the passes computed before it is shown, with params, the chosen convention's count and activation bytes;
 * then the totals written out as sums.
 */
public final class Explainer {
    /** The widest sum written on one line; wider sums are split into subtotals. */
    static final int LINE_WIDTH = 110;

    private final RuleTable rules;

    public Explainer(RuleTable rules) {
        this.rules = rules;
    }

    /**
     * @param patterns layer names or globs ({@code features.*}); empty for every layer
     */
    public Explanation explain(Analysis analysis, List<String> patterns, Convention convention) {
        return explain(analysis, patterns, convention, false);
    }

    /**
     * As {@link #explain(Analysis, List, Convention)}; with {@code receptiveField}, each node that has a receptive
     * field gets its derivation from the layer below appended, as {@link dev.tally.analysis.ReceptiveFieldPass}
     * composed it.
     */
    public Explanation explain(Analysis analysis, List<String> patterns, Convention convention, boolean receptiveField) {
        ShapePass.Result shapes = new ShapePass(rules, false).run(analysis.model(), analysis.inputs());
        String file = analysis.model().path().getFileName().toString();
        Set<String> chosen = choose(analysis, patterns);
        List<java.util.Optional<dev.tally.analysis.ReceptiveFieldPass.Step>> fields = receptiveField
                ? dev.tally.analysis.ReceptiveFieldPass.trace(analysis) : List.of();
        List<Long> extent = new ArrayList<>();
        for (ResolvedInput input : analysis.inputs()) {
            if (extent.isEmpty() && input.shape().rank() >= 3) {
                for (int axis = 2; axis < input.shape().rank(); axis++) {
                    extent.add(input.shape().dim(axis));
                }
            }
        }
        List<Explanation.Step> steps = new ArrayList<>();
        for (int i = 0; i < analysis.nodes().size(); i++) {
            NodeResult result = analysis.nodes().get(i);
            if (chosen.contains(result.node().layer())) {
                Explanation.Step step = step(file, result, shapes.values(), convention, analysis.model().graph().params());
                if (receptiveField && fields.get(i).isPresent() && step.derivation().isPresent()) {
                    step = new Explanation.Step(step.layer(), step.node(), step.op(), step.inputs(), step.outputs(),
                            step.derivation().plus(ReceptiveFieldLines.of(fields.get(i).get(), extent)));
                }
                steps.add(step);
            }
        }
        List<String> inputs = new ArrayList<>();
        for (ResolvedInput input : analysis.inputs()) {
            inputs.add(input.name() + " " + input.shape() + " " + input.dtype().displayName());
        }
        return new Explanation(analysis.model().path().toString(), inputs, convention, steps, patterns.isEmpty(),
                totals(analysis, steps, convention, patterns.isEmpty()));
    }

    /** The layers whose names match a pattern, in graph order; a pattern that matches none is a usage error. */
    private static Set<String> choose(Analysis analysis, List<String> patterns) {
        Set<String> layers = new LinkedHashSet<>();
        analysis.nodes().forEach(n -> layers.add(n.node().layer()));
        if (patterns.isEmpty()) {
            return layers;
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String pattern : patterns) {
            Pattern regex = glob(pattern);
            int before = chosen.size();
            boolean any = false;
            for (String layer : layers) {
                if (regex.matcher(layer).matches()) {
                    chosen.add(layer);
                    any = true;
                }
            }
            if (!any && chosen.size() == before) {
                List<String> some = layers.stream().limit(12).toList();
                throw new UsageException("No layer matches '" + pattern + "'. Layers: " + String.join(", ", some)
                        + (layers.size() > some.size() ? ", ..." : "") + "; use a name or a glob such as 'features.*'.");
            }
        }
        return chosen;
    }

    /** A glob: {@code *} any run of characters, {@code ?} one; everything else literal. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    private Explanation.Step step(String file, NodeResult result, Map<String, TensorInfo> values, Convention convention,
                                  Map<String, Param> stored) {
        var node = result.node();
        List<Shape> inputs = new ArrayList<>();
        for (String input : node.inputs()) {
            TensorInfo info = values.get(input);
            if (!input.isEmpty() && info != null && !stored.containsKey(input) && !info.hasData()) {
                inputs.add(info.shape());
            }
        }
        List<Shape> outputs = result.outputs().stream().map(TensorInfo::shape).toList();
        return new Explanation.Step(node.layer(), node.name(), node.opType(), inputs, outputs,
                derivation(file, result, values, convention));
    }

    /** The rule's derivation checked against the node's figures, with params, the count and memory filled in. */
    Derivation derivation(String file, NodeResult result, Map<String, TensorInfo> values, Convention convention) {
        String op = result.node().opType();
        if (result.status() != NodeResult.Status.COUNTED) {
            return new Derivation(op, List.of(), java.util.Optional.of(result.status() == NodeResult.Status.UNSUPPORTED
                    ? "No rule for op '" + op + "': not counted." : "Not counted: an input's shape is unknown."));
        }
        // A node whose outputs the shape pass folded (shape arithmetic) computes nothing at run time: nothing to derive.
        boolean folded = !result.outputs().isEmpty() && result.outputs().stream().allMatch(TensorInfo::hasData);
        Derivation fromRule = folded ? Derivation.none(op) : ruleDerivation(file, result, values);
        long repeats = dev.tally.analysis.ShapePass.repeats(result.node());
        if (repeats != 1 && fromRule.isPresent()) {
            fromRule = repeated(fromRule, repeats);
        }
        Cost cost = result.cost();
        boolean zero = cost.macs() == 0 && cost.ops() == 0;
        if (!fromRule.isPresent() && !zero) {
            return fromRule;
        }
        if (fromRule.isPresent() && !agrees(fromRule, cost)) {
            return new Derivation(op, List.of(), java.util.Optional.of("No derivation for op '" + op
                    + "': its rule's derivation disagrees with its count, so it is not shown; please report it."));
        }
        List<Line> lines = new ArrayList<>();
        List<Line> ruleLines = fromRule.isPresent() ? fromRule.lines() : List.of();
        ruleLines.stream().filter(l -> l.quantity() == Quantity.SIZE).forEach(lines::add);
        lines.addAll(params(ruleLines, result.params()));
        lines.add(count(ruleLines, convention, cost));
        memory(result).ifPresent(lines::add);
        return new Derivation(op, lines, java.util.Optional.empty());
    }

    /**
     * A node in the body of a loop whose trip count is data ({@link dev.tally.analysis.ShapePass#REPEATS}): its MACs and
     * ops lines times the loop's bound, as the cost pass counts it.
     */
    private static Derivation repeated(Derivation derivation, long repeats) {
        List<Line> lines = new ArrayList<>();
        for (Line line : derivation.lines()) {
            boolean count = line.quantity() == Quantity.MACS || line.quantity() == Quantity.OPS;
            lines.add(count ? new Line(line.quantity(), line.label(), times(term("loop", repeats), line.expr()), line.unit(),
                    (line.note().isEmpty() ? "" : line.note() + "; ") + "loop: the bound of the loop over data it runs in") : line);
        }
        return new Derivation(derivation.subject(), lines, derivation.missing());
    }

    private Derivation ruleDerivation(String file, NodeResult result, Map<String, TensorInfo> values) {
        String op = result.node().opType();
        OpRule rule = rules.lookup(op).orElse(null);
        if (rule == null) {
            return Derivation.none(op);
        }
        try {
            return rule.derive(new OpContext(file, result.node(), rule.inputs(), values, result.outputs()));
        } catch (ModelException | ArithmeticException | IllegalArgumentException e) {
            return Derivation.none(op);
        }
    }

    /** Whether the rule's macs and ops lines, where it has them, equal the node's cost. */
    private static boolean agrees(Derivation derivation, Cost cost) {
        try {
            long macs = derivation.line(Quantity.MACS).map(Line::value).orElse(0L);
            long ops = derivation.line(Quantity.OPS).map(Line::value).orElse(0L);
            return macs == cost.macs() && ops == cost.ops();
        } catch (ArithmeticException e) {
            return false;
        }
    }

    /**
     * The rule's params lines when they equal the stored tensors this node counts; otherwise the tensors' sizes written
     * out ({@code numel(features.0.weight) + ...}), so a shared or computed weight is never explained wrongly.
     */
    private static List<Line> params(List<Line> ruleLines, List<Param> stored) {
        long params = 0;
        long buffers = 0;
        List<Expr> paramTerms = new ArrayList<>();
        List<Expr> bufferTerms = new ArrayList<>();
        for (Param p : stored) {
            Expr size = new Expr.Named("numel(" + p.sourceName() + ")", Expr.product(p.shape().dims().stream().map(d -> (Expr) num(d)).toList()));
            if (p.role() == Role.PARAM) {
                params += p.numel();
                paramTerms.add(size);
            } else if (p.role() == Role.BUFFER) {
                buffers += p.numel();
                bufferTerms.add(size);
            }
        }
        long ruleParams = ruleLines.stream().filter(l -> l.quantity() == Quantity.PARAMS && l.label().equals("params"))
                .mapToLong(Line::value).findFirst().orElse(-1);
        long ruleBuffers = ruleLines.stream().filter(l -> l.quantity() == Quantity.BUFFERS)
                .mapToLong(Line::value).findFirst().orElse(0);
        List<Line> lines = new ArrayList<>();
        if (ruleParams == params && ruleBuffers == buffers && params > 0) {
            ruleLines.stream().filter(l -> l.quantity() == Quantity.PARAMS || l.quantity() == Quantity.BUFFERS)
                    .forEach(lines::add);
            return lines;
        }
        lines.add(new Line(Quantity.PARAMS, "params", paramTerms.isEmpty() ? num(0) : Expr.sum(paramTerms), "",
                paramTerms.isEmpty() && !stored.isEmpty() ? "its stored tensors are not trainable params" : ""));
        if (!bufferTerms.isEmpty()) {
            lines.add(new Line(Quantity.BUFFERS, "buffers", Expr.sum(bufferTerms), "", "not trainable"));
        }
        return lines;
    }

    /** The count under {@code convention}: the rule's line, {@code flops = 2 x macs}, or 0 for an op that computes nothing. */
    private static Line count(List<Line> ruleLines, Convention convention, Cost cost) {
        Quantity wanted = convention == Convention.OPS ? Quantity.OPS : Quantity.MACS;
        Line found = null;
        for (Line line : ruleLines) {
            if (line.quantity() == wanted) {
                found = line;
            }
        }
        String label = convention.displayName();
        if (found == null) {
            return new Line(convention == Convention.OPS ? Quantity.OPS : convention == Convention.MACS ? Quantity.MACS
                    : Quantity.FLOPS, label, num(0), "", cost.ops() == 0 && cost.macs() == 0 ? "computes nothing"
                    : "no multiply-accumulates");
        }
        if (convention == Convention.FLOPS) {
            return new Line(Quantity.FLOPS, label, times(num(2), found.expr()), "", "a multiply and an add per MAC");
        }
        return found;
    }

    /** {@code activation = N x C x H x W x s = ... B}, s the element size, for every output computed at run time. */
    private static java.util.Optional<Line> memory(NodeResult result) {
        List<Expr> parts = new ArrayList<>();
        for (TensorInfo output : result.outputs()) {
            if (!output.hasData()) {
                Expr numel = Derive.numel(output.shape());
                parts.add(times(numel, term("s", output.dtype().byteSize())));
            }
        }
        if (parts.isEmpty()) {
            return java.util.Optional.empty();
        }
        Expr bytes = Expr.sum(parts);
        if (bytes.value() != result.activationBytes()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Line(Quantity.MEMORY, "activation", bytes, "B", ""));
    }

    /** Totals of the chosen layers: params, the count and activation bytes, each a sum written out or in subtotals. */
    private static Derivation totals(Analysis analysis, List<Explanation.Step> steps, Convention convention, boolean all) {
        Map<String, long[]> perLayer = new LinkedHashMap<>();
        Map<String, Boolean> chosen = new LinkedHashMap<>();
        steps.forEach(s -> chosen.put(s.layer(), true));
        for (NodeResult result : analysis.nodes()) {
            String layer = result.node().layer();
            if (!chosen.containsKey(layer)) {
                continue;
            }
            long[] sums = perLayer.computeIfAbsent(layer, k -> new long[3]);
            for (Param p : result.params()) {
                if (p.role() == Role.PARAM) {
                    sums[0] = Math.addExact(sums[0], p.numel());
                }
            }
            sums[1] = Math.addExact(sums[1], convention.of(result.cost()));
            sums[2] = Math.addExact(sums[2], result.activationBytes());
        }
        Derivation.Builder lines = Derivation.of(all ? "total" : "total of the layers shown");
        String[] labels = {"params", convention.displayName(), "activation"};
        Quantity[] quantities = {Quantity.PARAMS, convention == Convention.OPS ? Quantity.OPS
                : convention == Convention.MACS ? Quantity.MACS : Quantity.FLOPS, Quantity.MEMORY};
        for (int i = 0; i < labels.length; i++) {
            Map<String, Long> terms = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : perLayer.entrySet()) {
                if (e.getValue()[i] != 0) {
                    terms.put(e.getKey(), e.getValue()[i]);
                }
            }
            if (i == 0 && all) {
                for (Param p : analysis.unusedParams()) {
                    if (p.role() == Role.PARAM) {
                        terms.merge("(not used by forward)", p.numel(), Long::sum);
                    }
                }
            }
            Sums.write(lines, quantities[i], labels[i], terms, i == 2 ? "B" : "");
        }
        return lines.build();
    }
}
