package dev.tally.load.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchArchiveTest {
    @TempDir
    Path dir;

    /**
     * miniz, PyTorch's zip reader, takes entry names as bytes, so torch.load reads a zip with a name that is not
     * UTF-8; the JDK's decoder threw IllegalArgumentException on it (found by the zip fuzzer). The names are then
     * read byte for byte, and the records, the bad name's too, are there.
     */
    @Test
    void anEntryNameThatIsNotUtf8IsReadByteForByteAsPyTorchReadsIt() throws IOException {
        Path file = dir.resolve("latin1.pt");
        // ISO-8859-1 writes é as the one byte 0xE9, not valid UTF-8, and sets no UTF-8 flag.
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.ISO_8859_1)) {
            for (String name : new String[] {"archive/data.pkl", "archive/vers\u00e9on"}) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(name.endsWith(".pkl") ? new byte[] {(byte) 0x80, 2, ')', '.'} : "3\n".getBytes(StandardCharsets.US_ASCII));
                zip.closeEntry();
            }
        }

        try (TorchArchive archive = TorchArchive.open(file)) {
            assertThat(archive.prefix()).isEqualTo("archive/");
            assertThat(archive.recordsUnder("")).containsExactly("data.pkl", "vers\u00e9on");
            assertThat(archive.read("data.pkl")).containsExactly(0x80, 2, ')', '.');
            assertThat(archive.readCopies("archive/vers\u00e9on")).hasSize(1);
            assertThat(archive.readText("vers\u00e9on")).isEqualTo("3\n");
        }
    }
}
