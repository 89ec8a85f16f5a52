package dev.tally.verify;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Re-saves a TorchScript file as PyTorch 2.7 writes it: loaded into libtorch 2.7.1 (the one DJL ships) and
 * written back with {@code JniUtils.writeModule(block, out, true)}. DJL's writer puts the archive's length
 * before the zip as 8 bytes (a Java {@code DataOutputStream} long, big-endian), which is stripped; what remains is
 * the zip a PyTorch 2.7 {@code torch.jit.save} writes.
 */
final class Pt2Archives {
    private Pt2Archives() {
    }

    /**
     * The libtorch 2.7.1 copy of {@code original} in the fixture cache, {@code <fixtures>/pt2/<file name>}, written
     * once and reused while its stamp matches: the original's size and modification time (a re-export rewrites
     * it) and the libtorch version. Written under a temporary name and moved into place, so a run stopped halfway
     * or a second run at the same time never sees half a file.
     */
    static Path cached(Engine engine, Path original, Path cacheDir) throws IOException {
        Path target = cacheDir.resolve(original.getFileName());
        Path stampFile = cacheDir.resolve(original.getFileName() + ".stamp");
        String stamp = "original=" + original.getFileName() + " size=" + Files.size(original) + " modified="
                + Files.getLastModifiedTime(original).toMillis() + " libtorch=" + engine.getVersion() + "\n";
        if (Files.isRegularFile(target) && Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)) {
            return target;
        }
        Files.createDirectories(cacheDir);
        Path partial = Files.createTempFile(cacheDir, original.getFileName().toString(), ".partial");
        try {
            resave(engine, original, partial);
            Files.deleteIfExists(stampFile);
            // createTempFile makes the file private (0600); the cache's other files are readable by all.
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(stampFile, stamp);
        } finally {
            Files.deleteIfExists(partial);
        }
        return target;
    }

    static Path resave(Engine engine, Path original, Path target) throws IOException {
        try (PtNDManager manager = (PtNDManager) engine.newBaseManager(Device.cpu())) {
            PtSymbolBlock block = JniUtils.loadModule(manager, original, false, new String[0], new String[0], false);
            // Written to a file and copied past the length, never held in memory: VGG archives are 500 MB.
            Path raw = target.resolveSibling(target.getFileName() + ".djl");
            try {
                Files.createDirectories(target.getParent());
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(raw))) {
                    JniUtils.writeModule(block, out, true);
                }
                try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ);
                     FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer head = ByteBuffer.allocate(10);
                    in.read(head, 0);
                    long length = head.order(ByteOrder.BIG_ENDIAN).getLong(0);
                    if (length != in.size() - 8 || head.get(8) != 'P' || head.get(9) != 'K') {
                        throw new IOException("DJL wrote " + in.size() + " bytes starting with a length of " + length
                                + ", not the 8-byte length of the zip that follows.");
                    }
                    long position = 8;
                    while (position < in.size()) {
                        position += in.transferTo(position, in.size() - position, out);
                    }
                }
                return target;
            } finally {
                block.close();
                Files.deleteIfExists(raw);
            }
        }
    }
}
