package dev.tally.load.pytorch;

import dev.tally.ir.DType;
import java.util.OptionalLong;

/**
 * A storage a pickle refers to by persistent id {@code ('storage', FloatStorage, key, location, numel)}: its
 * bytes live in record {@code data/<key>} and are never read.
 *
 * @param recordBytes the size of {@code data/<key>} from the zip directory; empty when the record is missing
 */
public record StorageRef(String key, DType dtype, String storageType, String location, long numel,
                         OptionalLong recordBytes) {
}
