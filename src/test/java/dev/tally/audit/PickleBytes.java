package dev.tally.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Hand-assembled pickles, opcode by opcode (protocol 2, as torch.save writes), for tests that need files PyTorch
 * would never write: ones that call {@code os.system} or {@code builtins.eval} when Python loads them.
 */
final class PickleBytes {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    PickleBytes() {
        op(0x80).op(2); // PROTO 2
    }

    PickleBytes op(int code) {
        bytes.write(code);
        return this;
    }

    /** GLOBAL: {@code c<module>\n<name>\n}. */
    PickleBytes global(String module, String name) {
        op('c');
        write((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** BINUNICODE. */
    PickleBytes string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        op('X').int32(utf8.length);
        write(utf8);
        return this;
    }

    /** BININT. */
    PickleBytes integer(int value) {
        return op('J').int32(value);
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes tuple1() {
        return op(0x85);
    }

    PickleBytes emptyTuple() {
        return op(')');
    }

    PickleBytes emptyDict() {
        return op('}');
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes binPersId() {
        return op('Q');
    }

    PickleBytes setItem() {
        return op('s');
    }

    PickleBytes bool(boolean value) {
        return op(value ? 0x88 : 0x89);
    }

    /** A float32 tensor of {@code shape} over storage {@code key}, as torch.save pickles it. */
    PickleBytes tensor(String key, int... shape) {
        int numel = 1;
        for (int d : shape) {
            numel *= d;
        }
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().string("storage").global("torch", "FloatStorage").string(key).string("cpu").integer(numel).tuple().binPersId();
        integer(0);
        mark();
        for (int d : shape) {
            integer(d);
        }
        tuple();
        mark();
        int stride = numel;
        for (int d : shape) {
            stride /= d;
            integer(stride);
        }
        tuple();
        bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple().reduce();
        return this;
    }

    byte[] stop() {
        op('.');
        return bytes.toByteArray();
    }

    private PickleBytes int32(int value) {
        write(new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
        return this;
    }

    private void write(byte[] data) {
        bytes.write(data, 0, data.length);
    }

    /** A torch.save-style zip: {@code archive/data.pkl}, {@code archive/version}, and zeroed storages {@code archive/data/<key>}. */
    static Path zip(Path file, byte[] pickle, String... storages) {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
            for (int i = 0; i + 1 < storages.length; i += 2) {
                zip.putNextEntry(new ZipEntry("archive/data/" + storages[i]));
                zip.write(new byte[Integer.parseInt(storages[i + 1])]);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
