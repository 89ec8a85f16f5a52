package dev.tally.audit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.load.pytorch.PickleReader;
import dev.tally.testing.FuzzInvariant;
import java.util.OptionalLong;

/**
 * Fuzzes the pickle reader and the checkpoint audit: {@code pickle} feeds the bytes to the unpickler as the audit
 * reads a pickle (unsafe globals recorded, not refused), {@code checkpointFile} runs {@code tally audit}'s whole
 * reading (zip, tar, bare pickle, safetensors; values read) on them as a file.
 */
class AuditFuzzTest {
    /** One auditor for every input: it loads the weights catalog once. */
    private static final Auditor AUDITOR = new Auditor();

    @FuzzTest(maxDuration = "5s")
    void pickle(byte[] bytes) {
        FuzzInvariant.holds(() -> {
            PickleReader reader = new PickleReader("fuzz.pth", "data.pkl", PickleReader.Mode.RECORD, key -> OptionalLong.of(64));
            reader.read(bytes);
            reader.uses();
        });
    }

    @FuzzTest(maxDuration = "5s")
    void checkpointFile(byte[] bytes) {
        FuzzInvariant.holdsForFile(bytes, ".pth", path -> AUDITOR.audit(path, true, true));
    }
}
