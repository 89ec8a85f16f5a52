package dev.tally.analysis;

import dev.tally.ir.Node;
import dev.tally.ir.Param;
import java.util.List;

/**
 * One node after both passes.
 *
 * @param outputs         the resolved outputs, in output order; empty unless {@code status} is COUNTED
 * @param params          stored tensors this node is the first to read, so they are counted here (once)
 * @param activationBytes bytes of the outputs the node computes at run time (see docs/conventions.md)
 * @param dataDependent   whether the node's outputs or inputs are data-dependent, so its cost and sizes are the upper
 *                        bound at the sizes the data-dependent ops state, not an exact count
 * @param note            what the report must say about this node's count (an If's branches, a Loop's unknown trip
 *                        count); empty when nothing
 */
public record NodeResult(Node node, Status status, List<TensorInfo> outputs, Cost cost,
                         List<Param> params, long activationBytes, boolean dataDependent, String note) {

    public enum Status {
        /** Shapes and cost are known. */
        COUNTED,
        /** No rule for this op: listed in the report, never counted as zero silently. */
        UNSUPPORTED,
        /** The op has a rule, but an input's shape is unknown because an unsupported op feeds it. */
        UNRESOLVED
    }

    public NodeResult {
        outputs = List.copyOf(outputs);
        params = List.copyOf(params);
        note = note == null ? "" : note;
    }

    /** A node whose count is exact. */
    public NodeResult(Node node, Status status, List<TensorInfo> outputs, Cost cost, List<Param> params,
                      long activationBytes) {
        this(node, status, outputs, cost, params, activationBytes, false, "");
    }
}
