package dev.tally.analysis.fused;

import java.util.List;

/** A pattern of exported nodes that PyTorch ran as one op. */
public interface ExportedOp {
    /** Every occurrence in the graph, each node in one at most. */
    List<Fusion> find(Dataflow graph);
}
