package dev.tally.report.compare;

import dev.tally.report.Totals;

/** The figures a comparison shows, with the names of the summary JSON so scripts see one vocabulary. */
public enum Metric {
    PARAMS("params", "Params", false, true),
    BUFFERS("buffers", "Buffers", false, true),
    PARAM_BYTES("paramBytes", "Weight size (B)", true, true),
    MACS("macs", "MACs", false, true),
    FLOPS("flops", "FLOPs", false, true),
    OPS("ops", "Ops", false, true),
    ACTIVATION_BYTES("activationBytes", "Activation memory (B)", true, true),
    /** One training step at the input's batch (docs/conventions.md): a figure of the whole model, not of a stage. */
    TRAINING_BYTES("trainingBytes", "Training memory (B)", true, false);

    private final String jsonName;
    private final String label;
    private final boolean bytes;
    private final boolean perStage;

    Metric(String jsonName, String label, boolean bytes, boolean perStage) {
        this.jsonName = jsonName;
        this.label = label;
        this.bytes = bytes;
        this.perStage = perStage;
    }

    /** Whether a stage (a module's layers) has this figure; the training memory is the whole model's only. */
    public boolean perStage() {
        return perStage;
    }

    /** The figures a stage has: every metric but the whole-model ones. */
    public static java.util.List<Metric> stageMetrics() {
        return java.util.Arrays.stream(values()).filter(Metric::perStage).toList();
    }

    public String jsonName() {
        return jsonName;
    }

    /** The row or section label in text reports. */
    public String label() {
        return label;
    }

    public boolean isBytes() {
        return bytes;
    }

    public long of(Totals totals) {
        return switch (this) {
            case PARAMS -> totals.params();
            case BUFFERS -> totals.buffers();
            case PARAM_BYTES -> totals.paramBytes();
            case MACS -> totals.macs();
            case FLOPS -> totals.flops();
            case OPS -> totals.ops();
            case ACTIVATION_BYTES -> totals.activationBytes();
            case TRAINING_BYTES -> totals.trainingBytes();
        };
    }
}
