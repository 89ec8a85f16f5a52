package dev.tally.load;

import dev.tally.ir.ModelException;

/**
 * The resource limits a hostile file meets before it can exhaust memory or time, each with the system property
 * that raises it ({@code JAVA_TOOL_OPTIONS=-Dtally.limits.pickleOpcodes=20000000}). The defaults are far above
 * what real models need (a 1,000-tensor state_dict is about 30,000 opcodes, torchvision's largest graphs a few
 * thousand nodes) and keep any file under 100 MB within the launcher's heap (README, "Limits"). README lists them.
 */
public final class Limits {
    private Limits() {
    }

    /**
     * Nodes of one model's graph, subgraphs included: the analysis keeps about 550 bytes per node, so this bounds
     * the memory and time a graph-only file can ask for (a 100 MB ONNX file can spell about 3 million nodes).
     */
    public static long nodes() {
        return get("tally.limits.nodes", 1_000_000L);
    }

    /** Opcodes one pickle may run: each can create a value, so this bounds the memory the pickle's values take. */
    public static long pickleOpcodes() {
        return get("tally.limits.pickleOpcodes", 5_000_000L);
    }

    /** Entries of one pickle's memo. */
    public static long pickleMemo() {
        return get("tally.limits.pickleMemo", 1_000_000L);
    }

    /** Bytes one pickle or code record may inflate to, counted while inflating. */
    public static long recordBytes() {
        return get("tally.limits.recordBytes", 256L * 1024 * 1024);
    }

    /** How deep archives may nest inside each other ({@code _load_from_bytes} payloads, a zip in a zip). */
    public static long nesting() {
        return get("tally.limits.nesting", 4L);
    }

    private static long get(String property, long fallback) {
        String value = System.getProperty(property);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * The refusal of a graph with more than {@code limit} ({@link #nodes()}) nodes. Unlike the other limits it names the
     * launcher's variable, since a larger graph also needs a larger heap than bin/tally's, which a later -Xmx raises.
     */
    public static ModelException tooManyNodes(String where, long limit) {
        return new ModelException(where + " has more than " + String.format(java.util.Locale.ROOT, "%,d", limit)
                + " graph nodes, Tally's limit; the file is damaged or hostile, or, if it is a real model, raise the limit and"
                + " the heap with TALLY_JAVA_OPTS='-Dtally.limits.nodes=N -Xmx4g'.");
    }

    /** The one-sentence refusal for a limit met: names the limit, its value and how to raise it. */
    public static ModelException exceeded(String where, String what, long limit, String property) {
        return new ModelException(where + " exceeds Tally's limit of " + String.format("%,d", limit) + " " + what
                + "; the file is damaged or hostile, or, if it is a real model, raise the limit with JAVA_TOOL_OPTIONS=-D"
                + property + "=N.");
    }
}
