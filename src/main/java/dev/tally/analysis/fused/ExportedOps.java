package dev.tally.analysis.fused;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of ops an exporter takes apart that the inference memory puts back together (docs/conventions.md,
 * "Memory"): a file's nodes that PyTorch runs as one op allocate what that op allocates.
 */
public final class ExportedOps {
    private static final List<ExportedOp> PATTERNS = List.of(new ExportedSilu(), new ExportedGelu(), new ExportedLinear());

    private ExportedOps() {
    }

    /** Node index -> its part in a fused op, for every node of one; a node two patterns claim stays with the first. */
    public static Map<Integer, Fusion.Part> parts(Dataflow graph) {
        Map<Integer, Fusion.Part> parts = new HashMap<>();
        for (ExportedOp pattern : PATTERNS) {
            for (Fusion fusion : pattern.find(graph)) {
                if (fusion.nodes().stream().anyMatch(parts::containsKey)) {
                    continue;
                }
                for (int position = 0; position < fusion.nodes().size(); position++) {
                    parts.put(fusion.nodes().get(position), new Fusion.Part(fusion, position));
                }
            }
        }
        return parts;
    }
}
