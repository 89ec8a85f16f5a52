package dev.tally.load.onnx;

import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import java.nio.file.Path;

/** Reads ONNX files into the IR. (Being written: see issue 2.) */
public final class OnnxLoader {
    public Model load(Path path) {
        throw new ModelException(path.getFileName() + ": the ONNX reader is not built yet.");
    }

    /** Whether the first bytes look like an ONNX ModelProto (a protobuf whose first field is ir_version, tag 0x08). */
    public static boolean looksLikeOnnx(byte[] head, int length) {
        return length > 1 && head[0] == 0x08;
    }
}
