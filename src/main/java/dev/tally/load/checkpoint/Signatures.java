package dev.tally.load.checkpoint;

import dev.tally.ir.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads {@link Catalog#SIGNATURES} as {@code scripts/make_signatures.py} writes it: a line per entry
 * ({@code =}, name, builder call, graph resource, input, input names, params, buffers, bytes, why there is no graph;
 * tab-separated), then a line per state_dict tensor (how many leading characters the key shares with the previous key,
 * the rest of the key, the shape, {@code p} or {@code b}, the dtype or empty for float32). Front coding and one gzip
 * stream keep the 113 entries' 1 MB of text at 45 KB; the file is the jar's own resource, so a line not as the script
 * writes it is a build error.
 * An alias line ({@code ~}, name, graph, input, input names) gives an architecture catalog entry that kept no graph the
 * weights catalog's graph of the same keys and shapes; it is read as an entry without tensors.
 */
final class Signatures {
    private static final String OWN = "audit/catalog/";

    private Signatures() {
    }

    /** The entries, an alias entry's graph given to the entry of its name that has none, and the alias entries dropped. */
    static List<Catalog.Entry> merge(List<Catalog.Entry> parsed) {
        java.util.Map<String, Catalog.Entry> aliases = new java.util.HashMap<>();
        parsed.stream().filter(e -> e.tensors().isEmpty()).forEach(e -> aliases.put(e.name(), e));
        List<Catalog.Entry> merged = new ArrayList<>();
        for (Catalog.Entry entry : parsed) {
            if (entry.tensors().isEmpty()) {
                continue;
            }
            Catalog.Entry alias = entry.graph() == null ? aliases.get(entry.name()) : null;
            merged.add(alias == null ? entry : new Catalog.Entry(entry.name(), entry.builder(), alias.inputShape(), entry.params(),
                    entry.buffers(), entry.bytes(), null, entry.onnxNote(), entry.tensors(), alias.graph(), alias.inputNames()));
        }
        return merged;
    }

    static List<Catalog.Entry> parse(String text) {
        List<Catalog.Entry> entries = new ArrayList<>();
        String[] head = null;
        List<Catalog.Tensor> tensors = new ArrayList<>();
        String previous = "";
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("~")) {
                check(fields.length == 5, line);
                entries.add(entry(new String[] {"~", fields[1], "", fields[2], fields[3], fields[4], "0", "0", "0", ""}, List.of()));
                continue;
            }
            if (fields[0].equals("=")) {
                if (head != null) {
                    entries.add(entry(head, tensors));
                }
                check(fields.length == 10, line);
                head = fields;
                tensors = new ArrayList<>();
                previous = "";
                continue;
            }
            check(head != null && fields.length == 5, line);
            String key = previous.substring(0, Integer.parseInt(fields[0])) + fields[1];
            String dtype = fields[4].isEmpty() ? "float32" : fields[4];
            tensors.add(new Catalog.Tensor(key, longs(fields[2]), DType.fromDisplayName(dtype), fields[3].equals("b")));
            previous = key;
        }
        if (head != null) {
            entries.add(entry(head, tensors));
        }
        return entries;
    }

    private static Catalog.Entry entry(String[] head, List<Catalog.Tensor> tensors) {
        List<String> inputNames = head[5].isEmpty() ? List.of() : Arrays.asList(head[5].split(","));
        String graph = head[3].isEmpty() ? null : head[3];
        // make_catalog.py's own graphs are in the catalog's folder; the others are the weights catalog's.
        String onnx = graph != null && graph.startsWith(OWN) ? graph.substring(OWN.length()) : null;
        return new Catalog.Entry(head[1], head[2], longs(head[4]), Long.parseLong(head[6]), Long.parseLong(head[7]),
                Long.parseLong(head[8]), onnx, head[9].isEmpty() ? null : head[9], tensors, graph, inputNames);
    }

    private static List<Long> longs(String text) {
        return text.isEmpty() ? List.of() : Arrays.stream(text.split(",")).map(Long::valueOf).toList();
    }

    private static void check(boolean ok, String line) {
        if (!ok) {
            throw new IllegalStateException("The architecture catalog's " + Catalog.SIGNATURES + " has a line not as make_signatures.py"
                    + " writes it (" + line.substring(0, Math.min(line.length(), 60)) + "); rebuild it with /usr/bin/python3 scripts/make_signatures.py.");
        }
    }
}
