package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A truncated or corrupt file gets one clear sentence on stderr and exit code 2, never a stack trace. */
class CorruptCheckpointTest {
    @TempDir
    Path dir;

    private Path truncated(String name, double keep) throws Exception {
        byte[] bytes = Files.readAllBytes(PythonCheckpoints.file(name));
        return Files.write(dir.resolve("truncated-" + name), Arrays.copyOf(bytes, (int) (bytes.length * keep)));
    }

    @Test
    void aTruncatedZipCheckpointExitsTwoWithOneSentence() throws Exception {
        Path file = truncated("resnet18_head10.pth", 0.5);

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith(file.getFileName().toString()).contains("truncated").endsWith(".\n")
                .doesNotContain("Exception").hasLineCount(1);
    }

    @Test
    void aTruncatedLegacyCheckpointExitsTwo() throws Exception {
        Path file = truncated("resnet18_training_legacy.pth", 0.7);

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("truncated").endsWith(".\n").hasLineCount(1);
    }

    @Test
    void aLegacyFileCutInsideItsPicklesExitsTwo() throws Exception {
        Path file = truncated("values_legacy.pth", 0.02);

        assertThatThrownBy(() -> new Auditor().audit(file, false, false)).isInstanceOf(ModelException.class)
                .hasMessageEndingWith(".").hasMessageContaining(file.getFileName().toString());
        assertThat(AuditCli.run(file.toString()).exitCode()).isEqualTo(2);
    }

    @Test
    void aCorruptPickleInsideAZipExitsTwo() {
        byte[] garbage = {(byte) 0x80, 2, (byte) 0xff, (byte) 0xfe, 'x', 'y', '.'};
        Path file = PickleBytes.zip(dir.resolve("corrupt.pth"), garbage);

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("corrupt.pth").endsWith(".\n").hasLineCount(1);
    }

    @Test
    void aStorageMissingFromTheArchiveExitsTwo() {
        byte[] pickle = new PickleBytes().emptyDict().string("w").tensor("0", 4).setItem().stop();
        Path file = PickleBytes.zip(dir.resolve("no-storage.pth"), pickle);

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("data/0").contains("does not hold").endsWith(".\n");
    }

    @Test
    void aFileThatIsNotACheckpointExitsTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.pth"), "just some text\n");

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("notes.pth is not a torch.save checkpoint (neither a zip archive, a tar archive nor a pickle); check that it is the right file.\n");
    }
}
