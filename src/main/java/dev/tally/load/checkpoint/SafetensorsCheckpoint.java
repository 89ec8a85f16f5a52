package dev.tally.load.checkpoint;

import dev.tally.load.pytorch.StorageRef;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.safetensors.SafetensorsHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A safetensors file as the audit sees a checkpoint: a flat state_dict of contiguous tensors, one storage per
 * tensor (the format has no shared storages), no pickle and so no globals. Each storage's bytes are a byte range
 * of the file, which {@link ValueReader} maps only under {@code --values}.
 */
public final class SafetensorsCheckpoint {
    public static final String FORMAT = "safetensors";

    private SafetensorsCheckpoint() {
    }

    public static Checkpoint read(Path path) {
        SafetensorsHeader header = SafetensorsHeader.read(path);
        Map<String, Object> stateDict = new LinkedHashMap<>();
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        Map<String, Checkpoint.StorageData> data = new LinkedHashMap<>();
        for (SafetensorsHeader.Tensor tensor : header.tensors()) {
            StorageRef storage = new StorageRef(tensor.name(), tensor.dtype(), tensor.dtypeName(), "cpu", tensor.numel(),
                    OptionalLong.of(tensor.end() - tensor.begin()));
            storages.put(tensor.name(), storage);
            data.put(tensor.name(), new Checkpoint.StorageData(null, header.dataStart() + tensor.begin(), tensor.end() - tensor.begin()));
            stateDict.put(tensor.name(), new TensorRef(storage, 0, tensor.shape(), contiguousStrides(tensor.shape()), false));
        }
        List<String> notes = new ArrayList<>();
        notes.add("A safetensors file holds no pickle, so it references no code; only its " + header.headerBytes()
                + "-byte JSON header was read.");
        if (!header.metadata().isEmpty()) {
            notes.add("Metadata: " + header.metadata() + ".");
        }
        String version = header.metadata().getOrDefault("format", "");
        return new Checkpoint(path, FORMAT, version, stateDict, List.of(), storages, data, notes, List.of(), false);
    }

    private static List<Long> contiguousStrides(List<Long> shape) {
        Long[] strides = new Long[shape.size()];
        long stride = 1;
        for (int i = shape.size() - 1; i >= 0; i--) {
            strides[i] = stride;
            stride = Math.multiplyExact(stride, Math.max(1, shape.get(i)));
        }
        return List.of(strides);
    }
}
