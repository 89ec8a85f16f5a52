package dev.tally.ir;

/** The file formats Tally reads, named as they appear in reports and JSON. */
public enum ModelFormat {
    ONNX("onnx"),
    TORCHSCRIPT("torchscript"),
    CHECKPOINT("checkpoint");

    private final String displayName;

    ModelFormat(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }
}
