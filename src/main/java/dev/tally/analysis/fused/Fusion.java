package dev.tally.analysis.fused;

import java.util.List;

/**
 * One op PyTorch runs as one call writing one tensor, found as several nodes of an exported graph. The first node
 * stands for the call: its result is allocated there, while the op's inputs are still live, and every later node
 * writes into it (docs/conventions.md, "Memory").
 *
 * @param op              what PyTorch ran, for the docs and messages ({@code silu_}, {@code gelu}, {@code linear})
 * @param nodes           the node indices, in graph order; each value made by one of them, but for the last, is read by
 *                        later ones only
 * @param inPlaceInput    the first node's input the op writes into when no node after the op reads that tensor
 *                        (an in-place op: torchvision's {@code SiLU(inplace=True)}); -1 when the op always allocates
 * @param contiguousInput the first node's input that must be contiguous for PyTorch to take the one-call path
 *                        (torch 1.13's {@code linear} folds a contiguous 3-D input into one {@code addmm}); -1 for none
 */
public record Fusion(String op, List<Integer> nodes, int inPlaceInput, int contiguousInput) {
    public Fusion {
        nodes = List.copyOf(nodes);
        if (nodes.size() < 2) {
            throw new IllegalArgumentException("A fused op has two nodes or more, not " + nodes + ".");
        }
    }

    /** The index of the last node, which makes the op's result. */
    public int last() {
        return nodes.get(nodes.size() - 1);
    }

    /** One node of a fused op: its place in {@link Fusion#nodes()}, 0 for the node that stands for the call. */
    public record Part(Fusion fusion, int position) {
        /** The node before this one in the op, whose result this one writes into. */
        public int previous() {
            return fusion.nodes().get(position - 1);
        }
    }
}
