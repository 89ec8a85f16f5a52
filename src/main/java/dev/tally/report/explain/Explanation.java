package dev.tally.report.explain;

import dev.tally.analysis.Convention;
import dev.tally.analysis.Derivation;
import dev.tally.ir.Shape;
import java.util.List;

/**
 * What {@code tally explain} prints: per chosen node its derivation, then the totals of the chosen layers.
 *
 * @param model  the file as given
 * @param inputs the model's inputs, {@code name 1x3x224x224}
 * @param all    whether every layer was chosen (the totals are then the model's)
 * @param totals the totals' lines, sums written out or per-group subtotals
 */
public record Explanation(String model, List<String> inputs, Convention convention, List<Step> steps, boolean all,
                          Derivation totals) {
    public Explanation {
        inputs = List.copyOf(inputs);
        steps = List.copyOf(steps);
    }

    /**
     * One node.
     *
     * @param layer   the module path ({@code features.0})
     * @param node    the graph node's name
     * @param inputs  shapes of the node's inputs that are activations (not stored tensors)
     * @param outputs shapes of its outputs
     */
    public record Step(String layer, String node, String op, List<Shape> inputs, List<Shape> outputs,
                       Derivation derivation) {
        public Step {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }
}
