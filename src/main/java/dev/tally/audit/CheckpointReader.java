package dev.tally.audit;

import dev.tally.ir.ModelException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads torch.save files in both of PyTorch's layouts without executing anything, following
 * {@code torch/serialization.py}: the zip ({@code <archive>/data.pkl}, {@code <archive>/data/<key>},
 * {@code <archive>/version}) and the legacy stream (magic number, protocol version and sys-info pickles, the
 * object pickle, the sorted storage keys, then each storage as an 8-byte element count and its raw bytes).
 */
public final class CheckpointReader {
    /** {@code torch.serialization.MAGIC_NUMBER}, the first pickle of a legacy file. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    public Checkpoint read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelException(path + " does not exist or is not a file; give a torch.save checkpoint (.pth, .pt).");
        }
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw new ModelException(path.getFileName() + " cannot be read (" + e.getMessage() + "); check its permissions.");
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return readZip(path);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80) {
            return readLegacy(path);
        }
        throw new ModelException(path.getFileName() + " is not a torch.save checkpoint (neither a zip archive nor a pickle); check that it is the right file.");
    }

    private Checkpoint readZip(Path path) {
        String file = path.getFileName().toString();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            String pickleName = null;
            Map<String, ZipEntry> entries = new LinkedHashMap<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                entries.put(entry.getName(), entry);
                String name = entry.getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    pickleName = name;
                }
            }
            if (pickleName == null) {
                throw new ModelException(file + " is a zip archive without '<archive>/data.pkl', so it is not a torch.save checkpoint; check the file.");
            }
            String prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
            List<String> notes = new ArrayList<>();
            if (entries.containsKey(prefix + "constants.pkl") || entries.keySet().stream().anyMatch(k -> k.startsWith(prefix + "code/"))) {
                notes.add("The archive is TorchScript (it has code/ and constants.pkl); its data.pkl is audited here, 'tally summary' reads its graph.");
            }
            String version = "";
            ZipEntry versionEntry = entries.get(prefix + "version");
            if (versionEntry == null) {
                versionEntry = entries.get(prefix + ".data/version");
            }
            if (versionEntry != null) {
                try (InputStream in = zip.getInputStream(versionEntry)) {
                    version = new String(in.readNBytes(64), StandardCharsets.UTF_8).trim();
                }
            }
            Map<GlobalRef, Integer> globals = new LinkedHashMap<>();
            Map<String, StorageRef> storages = new LinkedHashMap<>();
            Object root;
            try (InputStream in = new BufferedInputStream(zip.getInputStream(entries.get(pickleName)))) {
                root = unpickle(new AuditUnpickler(globals, storages), in, file, pickleName);
            }
            Map<String, Checkpoint.StorageData> data = new LinkedHashMap<>();
            for (StorageRef storage : storages.values()) {
                String entryName = prefix + "data/" + storage.key();
                ZipEntry entry = entries.get(entryName);
                if (entry == null) {
                    throw new ModelException(file + ": the pickle refers to storage '" + entryName + "', which the archive does not hold; the file is damaged or incomplete.");
                }
                long needed = storage.bytes();
                if (entry.getSize() >= 0 && entry.getSize() < needed) {
                    throw new ModelException(file + ": storage '" + entryName + "' holds " + entry.getSize() + " bytes, but the pickle declares "
                            + needed + "; the file is damaged or truncated.");
                }
                data.put(storage.key(), new Checkpoint.StorageData(entryName, 0, entry.getSize() >= 0 ? entry.getSize() : needed));
            }
            return new Checkpoint(path, "zip", version, root, globals, storages, data, notes);
        } catch (IOException e) {
            throw new ModelException(file + " is a damaged or truncated zip archive (" + e.getMessage() + "); re-save or re-download it.");
        }
    }

    private Checkpoint readLegacy(Path path) {
        String file = path.getFileName().toString();
        Map<GlobalRef, Integer> globals = new LinkedHashMap<>();
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        long size;
        try (CountingInputStream in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            size = Files.size(path);
            Object magic = unpickle(new AuditUnpickler(globals, storages), in, file, "the magic number pickle");
            if (!LEGACY_MAGIC.equals(magic)) {
                // A bare pickle that torch.save did not write (or pickle.dump of a dict): audit it all the same.
                return new Checkpoint(path, "pickle", "", magic, globals, storages, Map.of(),
                        List.of("The file is a bare pickle, not torch.save output (no magic number); its tensors' bytes are not in it."));
            }
            Object protocol = unpickle(new AuditUnpickler(globals, storages), in, file, "the protocol version pickle");
            unpickle(new AuditUnpickler(globals, storages), in, file, "the sys info pickle");
            Object root = unpickle(new AuditUnpickler(globals, storages), in, file, "the object pickle");
            Object keys = unpickle(new AuditUnpickler(globals, storages), in, file, "the storage keys pickle");
            if (!(keys instanceof List<?> keyList)) {
                throw new ModelException(file + ": the storage keys pickle is not a list; the file is damaged.");
            }
            Map<String, Checkpoint.StorageData> data = new LinkedHashMap<>();
            for (Object key : keyList) {
                StorageRef storage = storages.get(String.valueOf(key));
                byte[] count = in.readNBytes(8);
                if (count.length < 8) {
                    throw new ModelException(file + " is truncated: storage '" + key + "' is missing; re-save or re-download it.");
                }
                long numel = 0;
                for (int i = 7; i >= 0; i--) {
                    numel = (numel << 8) | (count[i] & 0xff);
                }
                int elementSize = storage == null ? 1 : Math.max(1, storage.dtype().byteSize());
                long length = Math.multiplyExact(numel, (long) elementSize);
                long offset = in.position();
                if (numel < 0 || offset + length > size) {
                    throw new ModelException(file + " is truncated: storage '" + key + "' needs " + length + " bytes at offset " + offset
                            + " but the file has " + size + "; re-save or re-download it.");
                }
                in.skipNBytes(length);
                data.put(String.valueOf(key), new Checkpoint.StorageData(null, offset, length));
            }
            for (StorageRef storage : storages.values()) {
                if (!data.containsKey(storage.key())) {
                    throw new ModelException(file + ": the pickle refers to storage '" + storage.key() + "', which the file does not hold; the file is damaged.");
                }
            }
            return new Checkpoint(path, "legacy", String.valueOf(protocol), root, globals, storages, data, List.of());
        } catch (EOFException e) {
            throw new ModelException(file + " is truncated (it ends inside a storage); re-save or re-download it.");
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read (" + e.getMessage() + "); check the file.");
        }
    }

    private static Object unpickle(AuditUnpickler unpickler, InputStream in, String file, String what) {
        try {
            return unpickler.load(in);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelException model) {
                throw model;
            }
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ModelException(file + ": " + what + " is not a valid pickle (" + reason.replaceAll("[.\\s]+$", "")
                    + "); the file is damaged or truncated.");
        }
    }

    /** Knows how many bytes it has handed out, which is where the next storage starts in a legacy file. */
    private static final class CountingInputStream extends FilterInputStream {
        private long position;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            position += skipped;
            return skipped;
        }
    }
}
