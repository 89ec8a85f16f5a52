package dev.tally.load.pytorch;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.testing.FuzzInvariant;

/**
 * Fuzzes the zip reader under TorchScript archives and zip checkpoints: the directory, the top folder, duplicate names
 * (miniz's lookup), every copy of every record read from the local headers, and the bounded inflating read.
 */
class TorchArchiveFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void zipFile(byte[] bytes) {
        FuzzInvariant.holdsForFile(bytes, ".pt", path -> {
            try (TorchArchive archive = TorchArchive.open(path)) {
                archive.duplicates();
                for (String record : archive.recordsUnder("")) {
                    archive.size(record);
                    archive.read(record);
                    archive.readCopies(archive.prefix() + record);
                }
            }
        });
    }
}
