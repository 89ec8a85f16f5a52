package dev.tally.report.compare;

import dev.tally.report.Totals;

/** The figures a comparison shows, with the names of the summary JSON so scripts see one vocabulary. */
public enum Metric {
    PARAMS("params", "Params", false),
    BUFFERS("buffers", "Buffers", false),
    PARAM_BYTES("paramBytes", "Weight size (B)", true),
    MACS("macs", "MACs", false),
    FLOPS("flops", "FLOPs", false),
    OPS("ops", "Ops", false),
    ACTIVATION_BYTES("activationBytes", "Activation memory (B)", true);

    private final String jsonName;
    private final String label;
    private final boolean bytes;

    Metric(String jsonName, String label, boolean bytes) {
        this.jsonName = jsonName;
        this.label = label;
        this.bytes = bytes;
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
        };
    }
}
