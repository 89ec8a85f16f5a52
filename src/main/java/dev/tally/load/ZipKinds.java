package dev.tally.load;

import dev.tally.load.pytorch.ZipDirectory;
import java.nio.file.Path;
import java.util.zip.ZipEntry;

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
        ZipDirectory directory = ZipDirectory.open(path);
        try {
            for (ZipEntry entry : directory.entries()) {
                String name = entry.getName();
                int slash = name.indexOf('/');
                String inner = slash < 0 ? name : name.substring(slash + 1);
                hasData |= inner.equals("data.pkl");
                hasCode |= inner.startsWith("code/") || inner.equals("constants.pkl");
            }
        } finally {
            ZipDirectory.closeQuietly(directory.zip());
        }
        if (hasData && hasCode) {
            return ModelLoader.Kind.TORCHSCRIPT;
        }
        return hasData ? ModelLoader.Kind.CHECKPOINT : ModelLoader.Kind.UNKNOWN;
    }
}
