package dev.tally.audit;

import dev.tally.ir.DType;

/**
 * A storage a pickle points to by persistent id ({@code ('storage', torch.FloatStorage, '0', 'cpu', 4096)}):
 * the bytes live outside the pickle, in {@code data/<key>} of a zip or after the pickles of a legacy file.
 *
 * @param numel elements as the pickle declares them
 */
public record StorageRef(String key, String storageType, DType dtype, String location, long numel) {
    public long bytes() {
        return Math.multiplyExact(numel, dtype.byteSize());
    }
}
