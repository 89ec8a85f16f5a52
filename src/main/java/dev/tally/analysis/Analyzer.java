package dev.tally.analysis;

import dev.tally.analysis.rules.Rules;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the shape pass and the cost pass over a loaded model. */
public final class Analyzer {
    private final RuleTable rules;

    public Analyzer() {
        this(Rules.standard());
    }

    public Analyzer(RuleTable rules) {
        this.rules = rules;
    }

    /**
     * @param inputShapes {@code --input} overrides by input name ({@link InputShapes#UNNAMED} for a lone input)
     * @param strict      whether an op without a rule is an error rather than a listed gap
     */
    public Analysis analyze(Model model, Map<String, Shape> inputShapes, boolean strict) {
        List<ResolvedInput> inputs = InputShapes.resolve(model, inputShapes);
        ShapePass.Result shapes = new ShapePass(rules, strict).run(model, inputs);
        List<NodeResult> nodes = new CostPass(rules).run(model, shapes);
        List<Analysis.Output> outputs = new ArrayList<>();
        for (Value output : model.graph().outputs()) {
            outputs.add(new Analysis.Output(output.name(), Optional.ofNullable(shapes.values().get(output.name()))));
        }
        List<String> notes = new ArrayList<>(model.notes());
        for (ResolvedInput input : inputs) {
            if (input.source() == ResolvedInput.Source.DEFAULT_BATCH) {
                notes.add("Input '" + input.name() + "' has a symbolic batch dim; it was taken as 1 (" + input.shape()
                        + "). Pass --input " + input.name() + "=" + input.shape() + " with another batch to change it.");
            }
        }
        return new Analysis(model, inputs, outputs, nodes, CostPass.unusedParams(model.graph()), notes);
    }

    public RuleTable rules() {
        return rules;
    }
}
