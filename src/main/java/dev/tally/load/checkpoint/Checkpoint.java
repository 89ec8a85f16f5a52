package dev.tally.load.checkpoint;

import dev.tally.load.pytorch.PickleUse;
import dev.tally.load.pytorch.PyGlobal;
import dev.tally.load.pytorch.StorageRef;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a torch.save file holds, read without running it: the unpickled object tree (as
 * {@link dev.tally.load.pytorch.PickleReader} builds it in RECORD mode), every global the pickles reference,
 * and where each storage's bytes are.
 *
 * @param format  {@code zip} (PyTorch 1.6+), {@code legacy} (the older stream of pickles) or {@code pickle}
 *                (a bare pickle torch.save did not write)
 * @param version the archive's {@code version} record or the legacy protocol version, empty when absent
 * @param notes   facts the report shows about the file itself
 * @param uses    what every pickle of the file imports or calls, with opcode and place
 * @param torchScript whether the file is a TorchScript archive (constants.pkl), which torch.load hands to torch.jit.load
 */
public record Checkpoint(Path path, String format, String version, Object root, List<PyGlobal> globals,
                         Map<String, StorageRef> storages, Map<String, StorageData> storageData, List<String> notes,
                         List<PickleUse> uses, boolean torchScript) {
    public Checkpoint {
        globals = List.copyOf(globals);
        uses = List.copyOf(uses);
        storages = Collections.unmodifiableMap(new LinkedHashMap<>(storages));
        storageData = Collections.unmodifiableMap(new LinkedHashMap<>(storageData));
        notes = List.copyOf(notes);
    }

    /** Where one storage's bytes are: a zip entry, or a byte range of a legacy file. */
    public record StorageData(String zipEntry, long offset, long length) {
    }

    public String fileName() {
        return path.getFileName().toString();
    }
}
