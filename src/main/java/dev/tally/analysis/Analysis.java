package dev.tally.analysis;

import dev.tally.ir.Model;
import dev.tally.ir.Param;
import java.util.List;
import java.util.Optional;

/**
 * Everything the passes found for one model: resolved inputs and outputs, every node's result, stored
 * tensors no node reads, and notes the report must show.
 *
 * @param outputs graph outputs in order; a value is empty when an unsupported op kept it from resolving
 */
public record Analysis(Model model, List<ResolvedInput> inputs, List<Output> outputs, List<NodeResult> nodes,
                       List<Param> unusedParams, List<String> notes) {
    public Analysis {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        unusedParams = List.copyOf(unusedParams);
        notes = List.copyOf(notes);
    }

    /** A graph output and what the shape pass resolved for it. */
    public record Output(String name, Optional<TensorInfo> info) {
    }
}
