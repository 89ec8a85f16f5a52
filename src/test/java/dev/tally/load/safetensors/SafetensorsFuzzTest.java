package dev.tally.load.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.load.ModelLoader;
import dev.tally.testing.FuzzInvariant;

/** Fuzzes the safetensors header reader: the length prefix, the JSON header, dtypes, shapes and data offsets. */
class SafetensorsFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void safetensorsFile(byte[] bytes) {
        FuzzInvariant.holdsForFile(bytes, ".safetensors", path -> {
            ModelLoader.detect(path);
            SafetensorsHeader.read(path);
        });
    }
}
