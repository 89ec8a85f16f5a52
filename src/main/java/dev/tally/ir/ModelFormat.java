package dev.tally.ir;

/** The file formats Tally reads, named as they appear in reports and JSON. */
public enum ModelFormat {
    ONNX("onnx"),
    TORCHSCRIPT("torchscript"),
    /** A torch.save file (zip, legacy or tar), counted through its architecture match. */
    CHECKPOINT("checkpoint (.pth)"),
    /** A safetensors file, counted through its architecture match. */
    SAFETENSORS("checkpoint (.safetensors)");

    private final String displayName;

    ModelFormat(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }
}
