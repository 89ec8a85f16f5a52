package dev.tally.analysis;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which rule handles which op. A lookup has three outcomes: a rule, an op ignored on purpose (it passes its
 * first input through and costs nothing, e.g. Dropout in eval mode), or unsupported, which the report lists.
 * The table of all ops Tally knows is {@link dev.tally.analysis.rules.Rules#standard()}.
 */
public final class RuleTable {
    /** By op type: a hash map, as the passes look an op up per node (a tree compared strings a million times). */
    private final Map<String, Registered> rules = new java.util.HashMap<>();
    private final Set<String> ignored = new TreeSet<>();

    /**
     * A rule and its input signature ({@link OpRule#inputs()}), asked once when the rule is registered: the rules make
     * a new list per call, and the passes need it per node.
     */
    public record Registered(OpRule rule, java.util.List<String> inputs) {
        static final Registered PASS_THROUGH = new Registered(PassThroughRule.INSTANCE, PassThroughRule.INSTANCE.inputs());

        Registered(OpRule rule) {
            this(rule, java.util.List.copyOf(rule.inputs()));
        }
    }

    /** Registers {@code rule} for op {@code opType}. */
    public RuleTable add(String opType, OpRule rule) {
        if (rules.put(opType, new Registered(rule)) != null || ignored.contains(opType)) {
            throw new IllegalStateException("Op '" + opType + "' is registered twice.");
        }
        return this;
    }

    /** Registers ops that pass their first input through unchanged and cost nothing, on purpose. */
    public RuleTable ignore(String... opTypes) {
        for (String opType : opTypes) {
            if (rules.containsKey(opType) || !ignored.add(opType)) {
                throw new IllegalStateException("Op '" + opType + "' is registered twice.");
            }
        }
        return this;
    }

    /** The rule for {@code opType}: its own, the pass-through rule for an ignored op, or empty when unsupported. */
    public Optional<OpRule> lookup(String opType) {
        return Optional.ofNullable(find(opType)).map(Registered::rule);
    }

    /** {@link #lookup} with the rule's signature, and null when unsupported: no Optional per node. */
    public Registered find(String opType) {
        Registered registered = rules.get(opType);
        if (registered != null) {
            return registered;
        }
        return ignored.contains(opType) ? Registered.PASS_THROUGH : null;
    }

    public boolean isIgnored(String opType) {
        return ignored.contains(opType);
    }

    /** A copy of this table with {@code opType}'s rule replaced; tests use it to inject a wrong rule. */
    public RuleTable with(String opType, OpRule rule) {
        RuleTable copy = new RuleTable();
        copy.rules.putAll(rules);
        copy.ignored.addAll(ignored);
        copy.ignored.remove(opType);
        copy.rules.put(opType, new Registered(rule));
        return copy;
    }

    public Set<String> supportedOps() {
        Set<String> all = new TreeSet<>(rules.keySet());
        all.addAll(ignored);
        return Collections.unmodifiableSet(all);
    }

    /** The rule for ignored ops: output 0 is input 0, values included; no cost. */
    private enum PassThroughRule implements OpRule {
        INSTANCE;

        @Override
        public java.util.List<String> inputs() {
            return java.util.List.of("input", "rest...");
        }

        @Override
        public java.util.List<TensorInfo> inferShapes(OpContext ctx) {
            TensorInfo input = ctx.input("input");
            java.util.List<TensorInfo> outputs = new java.util.ArrayList<>();
            for (int i = 0; i < ctx.node().outputs().size(); i++) {
                outputs.add(input);
            }
            return outputs;
        }
    }
}
