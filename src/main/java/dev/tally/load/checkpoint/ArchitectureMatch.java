package dev.tally.load.checkpoint;

import java.util.List;

/**
 * How a checkpoint's key-and-shape signature compares with the catalog.
 *
 * @param kind       EXACT when one entry has every key with every shape; CLOSE when the best candidate differs;
 *                   NONE when no candidate shares enough to be worth naming
 * @param candidates the best entries first (one for an exact match, up to three otherwise)
 * @param keyPrefix  a prefix stripped from every checkpoint key before matching ({@code module.} from
 *                   DataParallel), empty when none
 */
public record ArchitectureMatch(Kind kind, List<Candidate> candidates, String keyPrefix) {
    public ArchitectureMatch {
        candidates = List.copyOf(candidates);
    }

    public enum Kind { EXACT, CLOSE, NONE }

    /** A shape that differs: {@code classifier.6.weight [10, 4096]} instead of {@code [1000, 4096]}. */
    public record ShapeDifference(String name, List<Long> checkpointShape, List<Long> catalogShape) {
    }

    /**
     * One catalog entry compared with the checkpoint.
     *
     * @param score                  keys present in both with equal shapes, over the keys of either
     * @param missing                catalog keys the checkpoint lacks
     * @param unexpected             checkpoint keys the catalog entry lacks
     * @param withoutBatchCounters   whether the checkpoint has no {@code num_batches_tracked} buffers at all (files
     *                               saved before PyTorch 0.4.1, such as torchvision's older published weights); those
     *                               keys are then not counted as missing
     */
    public record Candidate(Catalog.Entry entry, double score, List<String> missing, List<String> unexpected,
                            List<ShapeDifference> shapeDifferences, boolean withoutBatchCounters) {
        public Candidate {
            missing = List.copyOf(missing);
            unexpected = List.copyOf(unexpected);
            shapeDifferences = List.copyOf(shapeDifferences);
        }

        public boolean exact() {
            return missing.isEmpty() && unexpected.isEmpty() && shapeDifferences.isEmpty();
        }

        /** Same keys, some shapes differ (a fine-tuned head): the catalog graph can be counted with the checkpoint's shapes. */
        public boolean sameKeys() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    /** The candidate a summary can be made for: the exact one, or a close one with the same keys. */
    public java.util.Optional<Candidate> countable() {
        return candidates.isEmpty() || !candidates.get(0).sameKeys() ? java.util.Optional.empty() : java.util.Optional.of(candidates.get(0));
    }
}
