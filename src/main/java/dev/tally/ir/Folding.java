package dev.tally.ir;

/**
 * What an exporter folded away before Tally saw the file: BatchNorms merged into the Conv before them (torch.onnx
 * in eval mode). Each folded BatchNorm over {@code C} channels took its weight and bias (2C params) and left a
 * bias of C on a Conv that had none, so PyTorch's count as trained is the file's count plus C per BatchNorm.
 *
 * @param batchNorms the BatchNorms folded
 * @param channels   the channels of those BatchNorms together ({@code C} summed), the params the fold removed
 */
public record Folding(int batchNorms, long channels) {
    public static final Folding NONE = new Folding(0, 0);

    public Folding {
        if (batchNorms < 0 || channels < 0) {
            throw new IllegalArgumentException("A folding count cannot be negative.");
        }
    }
}
