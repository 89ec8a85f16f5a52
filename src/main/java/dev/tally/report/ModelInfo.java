package dev.tally.report;

import dev.tally.ir.ModelFormat;

/**
 * Which file the summary is about.
 *
 * @param path     the path as the user gave it
 * @param producer         who wrote the file ({@code pytorch 1.13.1}), empty when unknown
 * @param foldedBatchNorms BatchNorms the exporter folded into Convs (0 when none)
 * @param foldedChannels   their channels together: PyTorch's count as trained is the file's params plus this when
 *                         the Convs had no bias (torchvision's ResNets, MobileNets), plus twice this when they had
 *                         one (VGG-BN); the file alone does not say which
 * @param paramsAsTrained  PyTorch's parameter count of the model as trained, when the folded BatchNorms were
 *                         identified (the matched catalog architecture says which Convs had a bias); -1 otherwise
 */
public record ModelInfo(String path, ModelFormat format, String producer, int foldedBatchNorms, long foldedChannels,
                        long paramsAsTrained) {
    public ModelInfo {
        producer = producer == null ? "" : producer;
        paramsAsTrained = Math.max(-1, paramsAsTrained);
    }

    /** A model whose count as trained is the file's, or not known. */
    public ModelInfo(String path, ModelFormat format, String producer, int foldedBatchNorms, long foldedChannels) {
        this(path, format, producer, foldedBatchNorms, foldedChannels, -1);
    }

    /** Whether {@link #paramsAsTrained} is known (the file had folded BatchNorms, all identified). */
    public boolean hasParamsAsTrained() {
        return paramsAsTrained >= 0;
    }

    /** A model nothing was folded in, or whose fold is not known (a JSON report from before the fields). */
    public ModelInfo(String path, ModelFormat format, String producer) {
        this(path, format, producer, 0, 0);
    }
}
