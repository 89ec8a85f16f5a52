package dev.tally.analysis.saved;

import dev.tally.ir.Attribute;
import dev.tally.ir.Node;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The table of what each op's backward keeps (docs/conventions.md, "Training memory"): one line per op. An op is
 * either here with a rule, listed as keeping nothing, or unknown, and the report names the unknown ones rather than
 * count them as keeping nothing.
 */
public final class SavedRules {
    /**
     * A node attribute naming the op a loader decomposed into several nodes (SiLU into Sigmoid and Mul): such a node's
     * rule is the table line {@code <op>/<opType>}, as the whole op's backward keeps less than its parts' would.
     */
    public static final String PART_OF = "tally.part_of";

    private final Map<String, SavedRule> rules = new LinkedHashMap<>();
    /** Rules that read the node's attributes (group norm's statistics are per group). */
    private final Map<String, java.util.function.Function<Node, SavedRule>> byNode = new LinkedHashMap<>();
    private final Set<String> nothing = new LinkedHashSet<>();

    private SavedRules() {
    }

    public static SavedRules standard() {
        return new SavedRules()
                .add("Conv", KeepsInputsRule.first())
                .add("ConvTranspose", KeepsInputsRule.first())
                .add("Gemm", KeepsInputsRule.first())
                .add("Linear", KeepsInputsRule.first())
                .add("MatMul", new MatMulSavedRule())
                .add("Mul", ProductSavedRule.product())
                .add("Div", ProductSavedRule.quotient())
                .add("Relu", new KeepsOutputRule())
                .add("Sigmoid", new KeepsOutputRule())
                .add("Tanh", new KeepsOutputRule())
                .add("Softmax", new KeepsOutputRule())
                .add("LogSoftmax", new KeepsOutputRule())
                .add("Exp", new KeepsOutputRule())
                .add("Sqrt", new KeepsOutputRule())
                .add("Clip", KeepsInputsRule.first())
                .add("LeakyRelu", KeepsInputsRule.first())
                .add("HardSwish", KeepsInputsRule.first())
                .add("HardSigmoid", KeepsInputsRule.first())
                .add("Gelu", KeepsInputsRule.first())
                .add("Erf", KeepsInputsRule.first())
                .add("Pow", KeepsInputsRule.all())
                // GridSampler2DBackward0 keeps the input and the grid.
                .add("GridSample", KeepsInputsRule.all())
                .add("Where", KeepsInputsRule.first())
                .add("MaxPool", new MaxPoolSavedRule())
                .add("AveragePool", KeepsInputsRule.first())
                .add("GlobalAveragePool", KeepsInputsRule.first())
                .add("AdaptiveAveragePool", KeepsInputsRule.first())
                .add("ReduceMean", KeepsInputsRule.first())
                .add("BatchNormalization", new BatchNormSavedRule())
                .add("LayerNormalization", new LayerNormSavedRule())
                .add("GroupNormalization", node -> new GroupNormSavedRule(node.attribute("num_groups")
                        .filter(a -> a instanceof Attribute.Int).map(a -> ((Attribute.Int) a).value()).orElse(1L)))
                .add("PRelu", KeepsInputsRule.first())
                .add("Dropout", new DropoutSavedRule())
                .add("Silu/Mul", KeepsInputsRule.first())
                .add("Gelu/Mul", KeepsInputsRule.first())
                // Gradients that need no tensor of the forward: sums, copies, views and shape arithmetic.
                .nothing("Add", "Sub", "Neg", "Concat", "Split", "Slice", "Gather", "Reshape", "Flatten", "Squeeze",
                        "Unsqueeze", "Transpose", "Expand", "Identity", "Pad", "Cast", "Shape", "Size", "Constant",
                        "ConstantOfShape", "Range",
                        // The value one of two TorchScript branches made (a data-dependent if): no op of its own.
                        "EitherBranch", "WrittenView",
                        // Sequences move tensors (mvit_v1_b's tensor_split): their gradients are copies too.
                        "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceAt", "SequenceLength",
                        "SequenceErase", "ConcatFromSequence", "SplitToSequence",
                        // Comparisons and logic have no gradient.
                        "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or",
                        // SiluBackward0 keeps x, counted on the Mul part.
                        "Silu/Sigmoid",
                        // GeluBackward0 keeps x, counted on the Mul part of an exported GELU (ExportedGelu).
                        "Gelu/Erf");
    }

    private SavedRules add(String opType, SavedRule rule) {
        rules.put(opType, rule);
        return this;
    }

    private SavedRules add(String opType, java.util.function.Function<Node, SavedRule> rule) {
        byNode.put(opType, rule);
        return this;
    }

    private SavedRules nothing(String... opTypes) {
        nothing.addAll(Set.of(opTypes));
        return this;
    }

    /** The node's rule: by its op type, or by {@code <op>/<opType>} for a part of a decomposed op ({@link #PART_OF}). */
    public Optional<SavedRule> rule(Node node) {
        if (byNode.containsKey(node.opType()) && node.attribute(PART_OF).isEmpty()) {
            return Optional.of(byNode.get(node.opType()).apply(node));
        }
        return rule(node.attribute(PART_OF).filter(a -> a instanceof Attribute.Str).map(a -> ((Attribute.Str) a).value() + "/")
                .orElse("") + node.opType());
    }

    /** The rule of a part of an op taken apart, by its table key ({@code Gelu/Mul}). */
    public Optional<SavedRule> part(String key) {
        return rule(key);
    }

    /** The op's rule; {@link Kept#NOTHING}'s rule for ops that keep nothing; empty for an op without a rule. */
    public Optional<SavedRule> rule(String opType) {
        if (nothing.contains(opType)) {
            return Optional.of((inputs, outputs) -> Kept.NOTHING);
        }
        return Optional.ofNullable(rules.get(opType));
    }
}
