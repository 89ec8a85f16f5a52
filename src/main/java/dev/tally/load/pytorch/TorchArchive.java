package dev.tally.load.pytorch;

import dev.tally.ir.ModelException;
import dev.tally.load.Limits;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
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
    private final String fileName;
    private final ZipFile zip;
    /** How the entry names were decoded ({@link ZipDirectory}); the local headers are read the same way. */
    private final Charset names;
    private final String prefix;
    private final Map<String, ZipEntry> records;
    private final Path path;
    /** Every entry name of the central directory in its order, duplicates included. */
    private final List<String> allNames;
    /** {@link #duplicates()}, found once: every record read asks it, and a traced model has hundreds of records. */
    private List<Duplicate> duplicates;

    private TorchArchive(String fileName, ZipFile zip, Charset names, String prefix, Map<String, ZipEntry> records, Path path,
            List<String> allNames) {
        this.fileName = fileName;
        this.zip = zip;
        this.names = names;
        this.prefix = prefix;
        this.records = records;
        this.path = path;
        this.allNames = allNames;
    }

    /**
     * An entry name the zip directory holds more than once.
     *
     * @param name          the full entry name
     * @param copies        how many entries have it
     * @param torchLoadCopy which of them (0-based, in directory order) PyTorch's reader opens
     */
    public record Duplicate(String name, int copies, int torchLoadCopy) {
    }

    /** Opens {@code path} and lists its records by their names under the top folder. */
    public static TorchArchive open(Path path) {
        String fileName = path.getFileName().toString();
        ZipDirectory directory = ZipDirectory.open(path);
        ZipFile zip = directory.zip();
        Map<String, ZipEntry> records = new LinkedHashMap<>();
        List<String> allNames = new ArrayList<>();
        String prefix = null;
        for (ZipEntry entry : directory.entries()) {
            String name = entry.getName();
            allNames.add(name);
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
            ZipDirectory.closeQuietly(zip);
            throw new ModelException(fileName + " is a zip archive without the top folder PyTorch writes; it is not a PyTorch model.");
        }
        return new TorchArchive(fileName, zip, directory.charset(), prefix, records, path, allNames);
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

    /** Entry names the directory holds more than once, with the copy PyTorch's reader opens. */
    public List<Duplicate> duplicates() {
        if (duplicates == null) {
            duplicates = List.copyOf(findDuplicates());
        }
        return duplicates;
    }

    private List<Duplicate> findDuplicates() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String name : allNames) {
            counts.merge(name, 1, Integer::sum);
        }
        List<Duplicate> duplicates = new ArrayList<>();
        counts.forEach((name, count) -> {
            if (count > 1) {
                int index = MinizLookup.locate(allNames, name);
                int copy = 0;
                for (int i = 0; i < index; i++) {
                    if (allNames.get(i).equals(name)) {
                        copy++;
                    }
                }
                duplicates.add(new Duplicate(name, count, copy));
            }
        });
        return duplicates;
    }

    /**
     * The bytes of every entry named {@code fullName}, in file order: read from the local headers, because
     * {@link ZipFile} finds only one entry of a name.
     */
    public List<byte[]> readCopies(String fullName) {
        List<byte[]> copies = new ArrayList<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.BufferedInputStream(
                java.nio.file.Files.newInputStream(path), 1 << 16), names)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(fullName)) {
                    copies.add(bounded(in, fullName));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelException(fileName + ": the copies of record '" + fullName + "' cannot be read (" + e.getMessage()
                    + "); the archive is damaged, so re-save or re-download the model.");
        }
        return copies;
    }

    /**
     * Reads a record, counting the inflated bytes as they come: the size in the zip directory is the file's own
     * claim and may be far below what the data inflates to.
     */
    private byte[] bounded(InputStream in, String fullName) throws IOException {
        long limit = Limits.recordBytes();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        // 8 KB: most records are code files of a few KB, read by the hundred in a traced model.
        byte[] buffer = new byte[1 << 13];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            if (out.size() + (long) n > limit) {
                throw Limits.exceeded(fileName + ": record '" + fullName + "'", "inflated bytes for a pickle or code record", limit,
                        "tally.limits.recordBytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** The bytes of a small record; a missing one is an error naming it. A duplicated name reads the copy PyTorch reads. */
    public byte[] read(String record) {
        ZipEntry entry = records.get(record);
        if (entry == null) {
            throw new ModelException(fileName + " has no record '" + prefix + record
                    + "'; the archive is incomplete, so re-save the model with torch.jit.save.");
        }
        for (Duplicate duplicate : duplicates()) {
            if (duplicate.name().equals(prefix + record)) {
                List<byte[]> copies = readCopies(duplicate.name());
                if (copies.size() == duplicate.copies()) {
                    return copies.get(duplicate.torchLoadCopy());
                }
            }
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return bounded(in, prefix + record);
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
        ZipDirectory.closeQuietly(zip);
    }
}
