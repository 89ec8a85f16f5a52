package dev.tally.load;

import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a model file with the reader its content calls for, never by its extension. */
public final class ModelLoader {
    private ModelLoader() {
    }

    /** What a file holds, judged from its first bytes and, for zips, its entry names. */
    public enum Kind { ONNX, TORCHSCRIPT, CHECKPOINT, UNKNOWN }

    public static Model load(Path path) {
        return load(path, java.util.Map.of());
    }

    /**
     * Loads with the user's {@code --input} shapes (by input name, {@code InputShapes.UNNAMED} for a lone input).
     * TorchScript needs them while reading, to resolve code that depends on shapes ({@code x.size(0)}); a checkpoint
     * opens every input dim of its catalog graph when they are given (only the batch dim otherwise); ONNX declares its
     * inputs and ignores them here.
     */
    public static Model load(Path path, java.util.Map<String, dev.tally.ir.Shape> inputShapes) {
        return switch (detect(path)) {
            case ONNX -> withTrainedCount(new dev.tally.load.onnx.OnnxLoader().load(path));
            case TORCHSCRIPT -> new dev.tally.load.torchscript.TorchScriptLoader().load(path, inputShapes);
            // Weights without a graph: counted as the catalog architecture its keys and shapes match.
            case CHECKPOINT -> new dev.tally.load.checkpoint.CheckpointLoader().load(path, inputShapes);
            case UNKNOWN -> throw new ModelException(path.getFileName() + " is not a model Tally reads (ONNX, TorchScript or a torch.save checkpoint); check the file name and that the file is complete.");
        };
    }

    /** An ONNX model whose exporter folded BatchNorms, with the folded Convs identified through the catalog when they can be. */
    private static Model withTrainedCount(Model onnx) {
        return onnx.folding().batchNorms() == 0 ? onnx
                : dev.tally.load.checkpoint.FoldedBatchNorms.identify(onnx);
    }

    public static Kind detect(Path path) {
        if (!Files.exists(path)) {
            throw new ModelException(path + " does not exist; check the path.");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelException(path + " is not a file; give a model file (.onnx, .pt, .pth).");
        }
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new ModelException(path + " cannot be read: " + e.getMessage() + ".");
        }
        if (n == 0) {
            throw new ModelException(path.getFileName() + " is empty; it is not a model.");
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return ZipKinds.detect(path);
        }
        if ((head[0] & 0xff) == 0x80) {
            // A bare pickle: the legacy torch.save format (protocol 2+ starts with PROTO 0x80).
            return Kind.CHECKPOINT;
        }
        if (dev.tally.load.safetensors.SafetensorsHeader.looksLike(path)) {
            // Weights without a graph, like a torch.save state_dict: counted through the catalog match.
            return Kind.CHECKPOINT;
        }
        if (dev.tally.load.onnx.OnnxLoader.looksLikeOnnx(head, n)) {
            return Kind.ONNX;
        }
        return Kind.UNKNOWN;
    }
}
