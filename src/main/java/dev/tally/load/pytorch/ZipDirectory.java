package dev.tally.load.pytorch;

import dev.tally.ir.ModelException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip opened with its central directory read. Entry names are decoded as UTF-8 (what PyTorch writes) and, when a
 * name is not valid UTF-8, byte for byte as ISO-8859-1: miniz, PyTorch's zip reader, takes names as bytes, so such a
 * file still loads in {@code torch.load} and must still be read (and audited) here rather than escape as an
 * {@link IllegalArgumentException} from the JDK's decoder (found by the zip fuzzer: an entry
 * {@code archive/vers\xe9on}).
 *
 * @param zip     the open zip; the caller closes it
 * @param charset the charset the names were decoded with, for reading the local headers the same way
 * @param entries every entry of the central directory, in its order
 */
public record ZipDirectory(ZipFile zip, Charset charset, List<ZipEntry> entries) {
    public ZipDirectory {
        entries = List.copyOf(entries);
    }

    /** Opens {@code path}; a zip the JDK cannot open either way is an error naming the file. */
    public static ZipDirectory open(Path path) {
        try {
            return read(path, StandardCharsets.UTF_8);
        } catch (IOException | IllegalArgumentException notUtf8) {
            // A newer JDK refuses a bad name when opening (a ZipException), an older one when listing: either way,
            // try the bytes as they are; a zip damaged in another way fails again below and is reported then.
        }
        String fileName = path.getFileName().toString();
        try {
            return read(path, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ModelException(fileName + " is a damaged or truncated zip archive (" + e.getMessage()
                    + "); re-save or re-download the model.");
        } catch (IllegalArgumentException e) {
            throw new ModelException(fileName + " is a damaged zip archive: an entry name is flagged as UTF-8 but is not valid UTF-8; "
                    + "re-save or re-download the model.");
        }
    }

    private static ZipDirectory read(Path path, Charset charset) throws IOException {
        ZipFile zip = new ZipFile(path.toFile(), charset);
        try {
            return new ZipDirectory(zip, charset, List.copyOf(Collections.list(zip.entries())));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    /** Closes a zip opened only for reading; a failed close loses nothing. */
    public static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // Nothing was written.
        }
    }
}
