package dev.tally.ir;

import java.util.List;

/**
 * What an exporter folded away before Tally saw the file: BatchNorms merged into the Conv before them (torch.onnx
 * in eval mode). Each folded BatchNorm over {@code C} channels took its weight and bias (2C params) and left a
 * bias of C on a Conv that had none, so PyTorch's count as trained is the file's count plus C per BatchNorm (plus
 * 2C where the Conv had a bias of its own, which the fold replaced).
 *
 * @param batchNorms    the BatchNorms folded
 * @param channels      the channels of those BatchNorms together ({@code C} summed)
 * @param convs         the names of the Conv nodes they were folded into, in graph order
 * @param removedParams the params the fold removed, once each folded Conv is identified (whether it had a bias of its
 *                      own, from the matched catalog architecture): C or 2C per BatchNorm; -1 when not identified
 */
public record Folding(int batchNorms, long channels, List<String> convs, long removedParams) {
    public static final Folding NONE = new Folding(0, 0);

    public Folding {
        if (batchNorms < 0 || channels < 0) {
            throw new IllegalArgumentException("A folding count cannot be negative.");
        }
        convs = List.copyOf(convs);
        removedParams = Math.max(-1, removedParams);
    }

    /** A fold whose Convs are not named or not identified. */
    public Folding(int batchNorms, long channels) {
        this(batchNorms, channels, List.of(), -1);
    }

    /** Whether {@link #removedParams} is known, so that PyTorch's count as trained is too. */
    public boolean identified() {
        return removedParams >= 0;
    }

    /** This fold with the params it removed, as the identified Convs say. */
    public Folding withRemovedParams(long removed) {
        return new Folding(batchNorms, channels, convs, removed);
    }
}
