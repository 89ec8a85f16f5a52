package dev.tally.analysis;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which rule handles which op. A lookup has three outcomes: a rule, an op ignored on purpose (it passes its
 * first input through and costs nothing, e.g. Dropout in eval mode), or unsupported, which the report lists.
 * The table of all ops Tally knows is {@link dev.tally.analysis.rules.Rules#standard()}.
 */
public final class RuleTable {
    private final Map<String, OpRule> rules = new TreeMap<>();
    private final Set<String> ignored = new TreeSet<>();

    /** Registers {@code rule} for op {@code opType}. */
    public RuleTable add(String opType, OpRule rule) {
        if (rules.put(opType, rule) != null || ignored.contains(opType)) {
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
        OpRule rule = rules.get(opType);
        if (rule != null) {
            return Optional.of(rule);
        }
        return ignored.contains(opType) ? Optional.of(PassThroughRule.INSTANCE) : Optional.empty();
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
        copy.rules.put(opType, rule);
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
