package dev.tally.load.checkpoint;

import dev.tally.load.pytorch.CountingInputStream;
import dev.tally.ir.ModelException;
import dev.tally.load.pytorch.PickleReader;
import dev.tally.load.pytorch.PickleUse;
import dev.tally.load.pytorch.PyCall;
import dev.tally.load.pytorch.PyGlobal;
import dev.tally.load.pytorch.StorageRef;
import dev.tally.load.pytorch.TorchArchive;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads torch.save files in both of PyTorch's layouts without executing anything, following
 * {@code torch/serialization.py}: the zip ({@code <archive>/data.pkl}, {@code <archive>/data/<key>},
 * {@code <archive>/version}) and the legacy stream (magic number, protocol version and sys-info pickles, the
 * object pickle, the sorted storage keys, then each storage as an 8-byte element count and its raw bytes).
 * The unpickling is the shared {@link PickleReader} in RECORD mode: globals outside the allow-list are recorded
 * and stood in for by inert {@link dev.tally.load.pytorch.PyCall}s, never imported or called.
 */
public final class CheckpointReader {
    /** {@code torch.serialization.MAGIC_NUMBER}, the first pickle of a legacy file. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private final List<PickleUse> uses = new ArrayList<>();
    private boolean torchScript;
    private int nesting;

    /**
     * What the pickles read so far import or call, kept when reading fails later: damage after a finding ends the
     * scan, but the finding stands (the auditor reports both).
     */
    public List<PickleUse> uses() {
        return List.copyOf(uses);
    }

    /** Whether the file read (so far) is a TorchScript archive. */
    public boolean torchScript() {
        return torchScript;
    }

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
        if (LegacyTar.isTar(path)) {
            Checkpoint tar = LegacyTar.read(path, this::pickles);
            return new Checkpoint(path, tar.format(), tar.version(), tar.root(), tar.globals(), tar.storages(), tar.storageData(),
                    tar.notes(), uses, false);
        }
        if (n == 0) {
            throw new ModelException(path.getFileName() + " is empty, so it is not a torch.save checkpoint; check that it is the right file.");
        }
        // torch.load unpickles any other file from its first byte (protocols 0 to 5 alike), so the audit does too.
        return readLegacy(path);
    }

    /** Reads one pickle of {@code record} from {@code in}, keeping what it uses even when it turns out damaged. */
    Object pickles(String file, String record, InputStream in) {
        return pickles(file, record, in, false);
    }

    Object pickles(String file, String record, InputStream in, boolean integerIds) {
        PickleReader reader = new PickleReader(file, record, PickleReader.Mode.RECORD, key -> OptionalLong.empty());
        if (integerIds) {
            reader.acceptIntegerIds();
        }
        try {
            return reader.read(in);
        } finally {
            uses.addAll(reader.uses());
        }
    }

    private Checkpoint readZip(Path path) {
        String file = path.getFileName().toString();
        try (TorchArchive archive = TorchArchive.open(path)) {
            if (!archive.has("data.pkl")) {
                throw new ModelException(file + " is a zip archive without '<archive>/data.pkl', so it is not a torch.save checkpoint; check the file.");
            }
            torchScript = archive.has("constants.pkl");
            List<String> notes = new ArrayList<>();
            if (archive.has("constants.pkl") || !archive.recordsUnder("code/").isEmpty()) {
                notes.add("The archive is TorchScript (it has code/ and constants.pkl); every pickle in it is audited here, and 'tally summary' reads its graph.");
            }
            duplicates(archive);
            String version = archive.has("version") ? archive.readText("version").trim()
                    : archive.has(".data/version") ? archive.readText(".data/version").trim() : "";
            PickleReader reader = new PickleReader(file, archive.prefix() + "data.pkl", PickleReader.Mode.RECORD,
                    key -> archive.size("data/" + key));
            Object root;
            try {
                root = reader.read(archive.read("data.pkl"));
            } finally {
                uses.addAll(reader.uses());
            }
            // Every other pickle torch.load or torch.jit.load may unpickle: constants.pkl, other .pkl records, pickled extra files.
            for (String record : archive.recordsUnder("")) {
                if (record.equals("data.pkl") || record.startsWith("data/") || !(record.endsWith(".pkl") || record.startsWith("extra/"))) {
                    continue;
                }
                byte[] bytes = archive.read(record);
                if (record.endsWith(".pkl") || (bytes.length > 1 && (bytes[0] & 0xff) == 0x80 && bytes[1] >= 2 && bytes[1] <= 5)) {
                    pickles(file, archive.prefix() + record, new java.io.ByteArrayInputStream(bytes));
                }
            }
            nested(file, root);
            Map<String, StorageRef> storages = storages(root);
            Map<String, Checkpoint.StorageData> data = new LinkedHashMap<>();
            for (StorageRef storage : storages.values()) {
                String record = "data/" + storage.key();
                OptionalLong size = archive.size(record);
                if (!archive.has(record)) {
                    throw new ModelException(file + ": the pickle refers to storage '" + archive.prefix() + record
                            + "', which the archive does not hold; the file is damaged or incomplete.");
                }
                long needed = Math.multiplyExact(storage.numel(), (long) storage.dtype().byteSize());
                if (size.isPresent() && size.getAsLong() < needed) {
                    throw new ModelException(file + ": storage '" + archive.prefix() + record + "' holds " + size.getAsLong()
                            + " bytes, but the pickle declares " + needed + "; the file is damaged or truncated.");
                }
                data.put(storage.key(), new Checkpoint.StorageData(archive.prefix() + record, 0, size.orElse(needed)));
            }
            return new Checkpoint(path, "zip", version, root, reader.globals(), storages, data, notes, uses, torchScript);
        }
    }

    /**
     * Two entries with one name: torch.load reads the one miniz's sorted lookup finds, which need not be the one a
     * Java zip reader returns, so every copy of a pickle is audited and the duplicate is a finding of its own.
     */
    private void duplicates(TorchArchive archive) {
        for (TorchArchive.Duplicate duplicate : archive.duplicates()) {
            uses.add(new PickleUse(new PyGlobal("zip", "duplicate entry '" + duplicate.name() + "' (" + duplicate.copies()
                    + " copies; torch.load reads copy " + (duplicate.torchLoadCopy() + 1) + ")"), "", "the zip directory", 0));
            if (duplicate.name().endsWith(".pkl") || duplicate.name().contains("/extra/")) {
                List<byte[]> copies = archive.readCopies(duplicate.name());
                for (int i = 0; i < copies.size(); i++) {
                    pickles(archive.fileName(), duplicate.name() + " (copy " + (i + 1) + ")", new java.io.ByteArrayInputStream(copies.get(i)));
                }
            }
        }
    }

    /** Payloads of {@code torch.storage._load_from_bytes} calls are torch.save files of their own: audited the same way. */
    private void nested(String file, Object root) {
        List<byte[]> payloads = new ArrayList<>();
        Trees.forEachCall(root, call -> {
            if (call.callee().qualifiedName().equals("torch.storage._load_from_bytes") && !call.args().isEmpty()) {
                Object arg = call.args().get(0);
                if (arg instanceof byte[] bytes) {
                    payloads.add(bytes);
                } else if (arg instanceof PyCall encode && encode.callee().qualifiedName().equals("_codecs.encode")
                        && encode.args().size() == 2 && encode.args().get(0) instanceof String text && "latin1".equals(encode.args().get(1))) {
                    // Protocol 2 has no bytes opcode: torch.save writes bytes as _codecs.encode(text, 'latin1').
                    payloads.add(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
        });
        for (byte[] payload : payloads) {
            if (nesting >= dev.tally.load.Limits.nesting()) {
                throw dev.tally.load.Limits.exceeded(file, "levels of torch.save files nested in _load_from_bytes",
                        dev.tally.load.Limits.nesting(), "tally.limits.nesting");
            }
            Path temp = null;
            try {
                temp = Files.createTempFile("tally-nested", ".pt");
                Files.write(temp, payload);
                CheckpointReader inner = new CheckpointReader();
                inner.nesting = nesting + 1;
                try {
                    inner.read(temp);
                } catch (ModelException e) {
                    // The outer file is what torch.load runs; a damaged payload still had its findings recorded.
                } finally {
                    for (PickleUse use : inner.uses()) {
                        uses.add(new PickleUse(use.global(), use.opcode(), "a _load_from_bytes payload in " + file + ", " + use.record(), use.offset()));
                    }
                }
            } catch (IOException e) {
                throw new ModelException(file + ": a nested _load_from_bytes payload cannot be written to a temporary file (" + e.getMessage() + "); check the temporary folder.");
            } finally {
                if (temp != null) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException ignored) {
                        // A leftover temporary file holds only bytes already in the audited file.
                    }
                }
            }
        }
    }

    private Checkpoint readLegacy(Path path) {
        String file = path.getFileName().toString();
        List<PyGlobal> globals = new ArrayList<>();
        try (CountingInputStream in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            long size = Files.size(path);
            Object magic;
            try {
                magic = next(file, "the first pickle", in, globals);
            } catch (ModelException e) {
                if (!uses.isEmpty()) {
                    throw e;
                }
                throw new ModelException(file + " is not a torch.save checkpoint (neither a zip archive, a tar archive nor a pickle); check that it is the right file.");
            }
            if (!LEGACY_MAGIC.equals(magic)) {
                // A pickle torch.save did not write (pickle.dump of a dict, or a hand-made one): audit it all the same.
                nested(file, magic);
                return new Checkpoint(path, "pickle", "", magic, globals, storages(magic), Map.of(),
                        List.of("The file is a bare pickle, not torch.save output (no magic number); tensor bytes are not in it."), uses, false);
            }
            Object protocol = next(file, "the protocol version pickle", in, globals);
            next(file, "the sys info pickle", in, globals);
            Object root = next(file, "the object pickle", in, globals);
            nested(file, root);
            Object keys = next(file, "the storage keys pickle", in, globals);
            if (!(keys instanceof List<?> keyList)) {
                throw new ModelException(file + ": the storage keys pickle is not a list; the file is damaged.");
            }
            Map<String, StorageRef> storages = storages(root);
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
                long offset = in.position();
                if (numel < 0 || numel > size || offset + numel * elementSize > size) {
                    throw new ModelException(file + " is truncated: storage '" + key + "' needs " + numel + " elements of "
                            + elementSize + " bytes at offset " + offset + ", but the file has " + size + " bytes; re-save or re-download it.");
                }
                long length = numel * elementSize;
                in.skipNBytes(length);
                data.put(String.valueOf(key), new Checkpoint.StorageData(null, offset, length));
            }
            for (StorageRef storage : storages.values()) {
                if (!data.containsKey(storage.key())) {
                    throw new ModelException(file + ": the pickle refers to storage '" + storage.key() + "', which the file does not hold; the file is damaged.");
                }
            }
            return new Checkpoint(path, "legacy", String.valueOf(protocol), root, globals, storages, data, List.of(), uses, false);
        } catch (EOFException e) {
            throw new ModelException(file + " is truncated (it ends inside a storage); re-save or re-download it.");
        } catch (IOException e) {
            throw new ModelException(file + " cannot be read (" + e.getMessage() + "); check the file.");
        }
    }

    /** One pickle of the legacy stream; its globals join the file's. */
    private Object next(String file, String what, InputStream in, List<PyGlobal> globals) {
        PickleReader reader = new PickleReader(file, what, PickleReader.Mode.RECORD, key -> OptionalLong.empty());
        Object value;
        try {
            value = reader.read(in);
        } finally {
            uses.addAll(reader.uses());
        }
        for (PyGlobal global : reader.globals()) {
            if (!globals.contains(global)) {
                globals.add(global);
            }
        }
        return value;
    }

    /** Every storage a tensor in the tree points to, by key, in first-met order. */
    static Map<String, StorageRef> storages(Object root) {
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        Trees.forEachTensor(root, tensor -> storages.putIfAbsent(tensor.storage().key(), tensor.storage()));
        return storages;
    }
}
