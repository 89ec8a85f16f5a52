package dev.tally.load.pytorch;

import dev.tally.ir.ModelException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip written by {@code torch.jit.save} or {@code torch.save}: every record sits under one top folder
 * ({@code alexnet.traced/data.pkl}). Only the central directory is read when opening, so {@code data/<key>}
 * records are listed with their sizes and their bytes are never touched; {@link #read} reads the small
 * records (pickles, code) on demand.
 */
public final class TorchArchive implements Closeable {
    /** Pickles and code are small; a larger one is a damaged or hostile file, not a model. */
    private static final long MAX_RECORD_BYTES = 256L * 1024 * 1024;

    private final String fileName;
    private final ZipFile zip;
    private final String prefix;
    private final Map<String, ZipEntry> records;

    private TorchArchive(String fileName, ZipFile zip, String prefix, Map<String, ZipEntry> records) {
        this.fileName = fileName;
        this.zip = zip;
        this.prefix = prefix;
        this.records = records;
    }

    /** Opens {@code path} and lists its records by their names under the top folder. */
    public static TorchArchive open(Path path) {
        String fileName = path.getFileName().toString();
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (IOException e) {
            throw new ModelException(fileName + " is a damaged or truncated zip archive (" + e.getMessage()
                    + "); re-save or re-download the model.");
        }
        Map<String, ZipEntry> records = new LinkedHashMap<>();
        String prefix = null;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            String name = entry.getName();
            int slash = name.indexOf('/');
            if (entry.isDirectory() || slash < 0) {
                continue;
            }
            String top = name.substring(0, slash + 1);
            if (prefix == null) {
                prefix = top;
            }
            if (top.equals(prefix)) {
                records.put(name.substring(slash + 1), entry);
            }
        }
        if (prefix == null) {
            closeQuietly(zip);
            throw new ModelException(fileName + " is a zip archive without the top folder PyTorch writes; it is not a PyTorch model.");
        }
        return new TorchArchive(fileName, zip, prefix, records);
    }

    /** The file name, for messages. */
    public String fileName() {
        return fileName;
    }

    /** The top folder the records sit in, with its slash ({@code alexnet.traced/}). */
    public String prefix() {
        return prefix;
    }

    public boolean has(String record) {
        return records.containsKey(record);
    }

    /** Record names starting with {@code folder} ({@code code/}), in archive order. */
    public List<String> recordsUnder(String folder) {
        List<String> names = new ArrayList<>();
        for (String name : records.keySet()) {
            if (name.startsWith(folder)) {
                names.add(name);
            }
        }
        return names;
    }

    /** The uncompressed size of a record from the central directory; empty when the record is missing. */
    public OptionalLong size(String record) {
        ZipEntry entry = records.get(record);
        return entry == null || entry.getSize() < 0 ? OptionalLong.empty() : OptionalLong.of(entry.getSize());
    }

    /** The bytes of a small record; a missing one is an error naming it. */
    public byte[] read(String record) {
        ZipEntry entry = records.get(record);
        if (entry == null) {
            throw new ModelException(fileName + " has no record '" + prefix + record
                    + "'; the archive is incomplete, so re-save the model with torch.jit.save.");
        }
        if (entry.getSize() > MAX_RECORD_BYTES) {
            throw new ModelException(fileName + ": record '" + prefix + record + "' is " + entry.getSize()
                    + " bytes, far more than a pickle or code file holds; the archive is damaged.");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelException(fileName + ": record '" + prefix + record + "' cannot be read (" + e.getMessage()
                    + "); the archive is damaged or truncated, so re-save or re-download the model.");
        }
    }

    /** A record as UTF-8 text. */
    public String readText(String record) {
        return new String(read(record), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // Nothing was written; a failed close of a read-only zip loses nothing.
        }
    }
}
