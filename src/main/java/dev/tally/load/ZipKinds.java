package dev.tally.load;

import dev.tally.ir.ModelException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Tells TorchScript archives from torch.save checkpoints by their entries: both are zips with a top folder,
 * {@code data.pkl} and {@code data/<key>}; only TorchScript has {@code code/} and {@code constants.pkl}.
 */
final class ZipKinds {
    private ZipKinds() {
    }

    static ModelLoader.Kind detect(Path path) {
        boolean hasData = false;
        boolean hasCode = false;
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                int slash = name.indexOf('/');
                String inner = slash < 0 ? name : name.substring(slash + 1);
                hasData |= inner.equals("data.pkl");
                hasCode |= inner.startsWith("code/") || inner.equals("constants.pkl");
            }
        } catch (IOException e) {
            throw new ModelException(path.getFileName() + " is a damaged or truncated zip archive (" + e.getMessage()
                    + "); re-save or re-download the model.");
        }
        if (hasData && hasCode) {
            return ModelLoader.Kind.TORCHSCRIPT;
        }
        return hasData ? ModelLoader.Kind.CHECKPOINT : ModelLoader.Kind.UNKNOWN;
    }
}
