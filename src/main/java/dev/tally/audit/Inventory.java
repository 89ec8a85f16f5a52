package dev.tally.audit;

import dev.tally.load.checkpoint.StateDicts;

import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.StorageRef;
import dev.tally.ir.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every tensor of the state_dict and its totals. A view shared by several names (tied weights) counts once
 * in {@code params}, {@code buffers} and {@code bytes}, as PyTorch's {@code model.parameters()} does.
 *
 * @param location     where the state_dict is in the file: empty for the object itself, else the entry name
 * @param bytes        bytes of params and buffers (each view once): what PyTorch calls the weights' size
 * @param storageBytes bytes of all storages the file holds, including any not reachable from the state_dict
 */
public record Inventory(String location, List<TensorEntry> tensors, List<ModuleTotal> modules,
                        List<SharedStorage> sharedStorages, List<DtypeTotal> dtypes, long params, long buffers,
                        long bytes, long storageBytes, List<OtherEntry> others) {
    public Inventory {
        tensors = List.copyOf(tensors);
        modules = List.copyOf(modules);
        sharedStorages = List.copyOf(sharedStorages);
        dtypes = List.copyOf(dtypes);
        others = List.copyOf(others);
    }

    /** One tensor: {@code stats} is null unless {@code --values} asked for them. */
    public record TensorEntry(String name, List<Long> shape, DType dtype, boolean buffer, long numel, long bytes,
                              String storageKey, long offset, ValueStats stats) {
        public TensorEntry {
            shape = List.copyOf(shape);
        }
    }

    /** Totals of one top-level module ({@code features}, {@code classifier}). */
    public record ModuleTotal(String name, int tensors, long params, long buffers, long bytes) {
    }

    /** Several names reading one storage: {@code tied} when they are the same view (shared weights). */
    public record SharedStorage(String storageKey, long storageBytes, List<String> tensors, boolean tied) {
        public SharedStorage {
            tensors = List.copyOf(tensors);
        }
    }

    public record DtypeTotal(DType dtype, int tensors, long elements, long bytes) {
    }

    /**
     * @param isBuffer which names are buffers (the matched catalog entry knows; else a name rule)
     * @param stats    value statistics by name, empty when not asked for
     */
    static Inventory build(StateDicts.Located located, Map<String, StorageRef> storages, Predicate<String> isBuffer,
                           Map<String, ValueStats> stats) {
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, ModuleAccumulator> modules = new LinkedHashMap<>();
        Map<String, List<String>> byStorage = new LinkedHashMap<>();
        Map<List<Object>, String> views = new LinkedHashMap<>();
        Map<String, Boolean> allTied = new LinkedHashMap<>();
        Map<DType, long[]> dtypes = new LinkedHashMap<>();
        long params = 0;
        long buffers = 0;
        long bytes = 0;
        for (Map.Entry<String, TensorRef> item : located.tensors().entrySet()) {
            String name = item.getKey();
            TensorRef tensor = item.getValue();
            boolean buffer = isBuffer.test(name);
            long numel = tensor.shape().numel();
            long size = Math.multiplyExact(numel, (long) tensor.dtype().byteSize());
            entries.add(new TensorEntry(name, tensor.sizes(), tensor.dtype(), buffer, numel, size,
                    tensor.storage().key(), tensor.offset(), stats.get(name)));
            String key = tensor.storage().key();
            byStorage.computeIfAbsent(key, k -> new ArrayList<>()).add(name);
            List<Object> view = List.of(key, tensor.offset(), tensor.sizes(), tensor.strides());
            boolean first = views.putIfAbsent(view, name) == null;
            allTied.merge(key, !first || byStorage.get(key).size() == 1, Boolean::logicalAnd);
            long[] dtype = dtypes.computeIfAbsent(tensor.dtype(), d -> new long[3]);
            dtype[0]++;
            dtype[1] += numel;
            dtype[2] += size;
            ModuleAccumulator module = modules.computeIfAbsent(topLevel(name), ModuleAccumulator::new);
            module.tensors++;
            if (!first) {
                continue; // a second name for the same view: counted where it first appeared
            }
            if (buffer) {
                buffers = Math.addExact(buffers, numel);
                module.buffers += numel;
            } else {
                params = Math.addExact(params, numel);
                module.params += numel;
            }
            bytes = Math.addExact(bytes, size);
            module.bytes += size;
        }
        List<SharedStorage> shared = new ArrayList<>();
        byStorage.forEach((key, names) -> {
            if (names.size() > 1) {
                StorageRef storage = storages.get(key);
                shared.add(new SharedStorage(key, storage == null ? 0 : bytes(storage), names, allTied.get(key)));
            }
        });
        List<DtypeTotal> dtypeTotals = new ArrayList<>();
        dtypes.forEach((dtype, t) -> dtypeTotals.add(new DtypeTotal(dtype, (int) t[0], t[1], t[2])));
        long storageBytes = 0;
        for (StorageRef storage : storages.values()) {
            storageBytes = Math.addExact(storageBytes, bytes(storage));
        }
        List<ModuleTotal> moduleTotals = modules.values().stream()
                .map(m -> new ModuleTotal(m.name, m.tensors, m.params, m.buffers, m.bytes)).toList();
        return new Inventory(located.path(), entries, moduleTotals, shared, dtypeTotals, params, buffers, bytes,
                storageBytes, located.others().stream().map(OtherEntry::of).toList());
    }

    /** Buffers by name when no catalog entry says: BatchNorm statistics and counters. */
    static boolean conventionalBuffer(String name) {
        return StateDicts.conventionalBuffer(name);
    }

    private static long bytes(StorageRef storage) {
        return Math.multiplyExact(storage.numel(), (long) storage.dtype().byteSize());
    }

    private static String topLevel(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static final class ModuleAccumulator {
        final String name;
        int tensors;
        long params;
        long buffers;
        long bytes;

        ModuleAccumulator(String name) {
            this.name = name;
        }
    }
}
