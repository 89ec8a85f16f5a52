package dev.tally.load.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compares a state_dict's keys and shapes with every catalog entry and ranks them. */
public final class ArchitectureMatcher {
    /** Below this score a candidate shares too little to be worth naming. */
    static final double MIN_SCORE = 0.2;
    private static final int MAX_CANDIDATES = 3;
    /** Prefixes wrappers add to every key: DataParallel/DistributedDataParallel, Lightning-style modules. */
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "model.", "_orig_mod.");
    private static final String BATCH_COUNTER = "num_batches_tracked";

    private final Catalog catalog;

    public ArchitectureMatcher(Catalog catalog) {
        this.catalog = catalog;
    }

    /** @param shapes the checkpoint's tensors by key, in file order */
    public ArchitectureMatch match(Map<String, List<Long>> shapes) {
        String prefix = wrapperPrefix(shapes);
        Map<String, List<Long>> keys = new LinkedHashMap<>();
        shapes.forEach((k, v) -> keys.put(k.substring(prefix.length()), v));
        boolean noCounters = keys.keySet().stream().noneMatch(k -> k.endsWith(BATCH_COUNTER));
        List<ArchitectureMatch.Candidate> ranked = new ArrayList<>();
        for (Catalog.Entry entry : catalog.entries()) {
            ranked.add(compare(entry, keys, noCounters));
        }
        ranked.sort(Comparator.comparingDouble(ArchitectureMatch.Candidate::score).reversed());
        List<ArchitectureMatch.Candidate> exact = ranked.stream().filter(ArchitectureMatch.Candidate::exact).toList();
        if (!exact.isEmpty()) {
            return new ArchitectureMatch(ArchitectureMatch.Kind.EXACT, exact, prefix);
        }
        List<ArchitectureMatch.Candidate> close = ranked.stream().filter(c -> c.score() >= MIN_SCORE).limit(MAX_CANDIDATES).toList();
        if (!close.isEmpty() && close.get(0).sameKeys()) {
            // Same keys, some shapes differ (a new head): that is the architecture; the runners-up are noise.
            close = close.subList(0, 1);
        }
        return new ArchitectureMatch(close.isEmpty() ? ArchitectureMatch.Kind.NONE : ArchitectureMatch.Kind.CLOSE, close, prefix);
    }

    private static ArchitectureMatch.Candidate compare(Catalog.Entry entry, Map<String, List<Long>> keys, boolean noCounters) {
        List<String> missing = new ArrayList<>();
        List<ArchitectureMatch.ShapeDifference> differences = new ArrayList<>();
        int equal = 0;
        int expected = 0;
        Map<String, Catalog.Tensor> known = new LinkedHashMap<>();
        for (Catalog.Tensor tensor : entry.tensors()) {
            known.put(tensor.name(), tensor);
            boolean optional = noCounters && tensor.name().endsWith(BATCH_COUNTER);
            List<Long> shape = keys.get(tensor.name());
            if (shape == null) {
                if (!optional) {
                    missing.add(tensor.name());
                    expected++;
                }
                continue;
            }
            expected++;
            if (shape.equals(tensor.shape())) {
                equal++;
            } else {
                differences.add(new ArchitectureMatch.ShapeDifference(tensor.name(), shape, tensor.shape()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : keys.keySet()) {
            if (!known.containsKey(key)) {
                unexpected.add(key);
            }
        }
        int union = expected + unexpected.size();
        double score = union == 0 ? 0 : (double) equal / union;
        boolean withoutCounters = noCounters && entry.tensors().stream().anyMatch(t -> t.name().endsWith(BATCH_COUNTER));
        return new ArchitectureMatch.Candidate(entry, score, missing, unexpected, differences, withoutCounters);
    }

    /** A prefix every key carries (and no catalog entry starts its keys with), or empty. */
    private String wrapperPrefix(Map<String, List<Long>> shapes) {
        for (String prefix : WRAPPER_PREFIXES) {
            if (!shapes.isEmpty() && shapes.keySet().stream().allMatch(k -> k.startsWith(prefix))
                    && catalog.entries().stream().noneMatch(e -> e.tensors().stream().allMatch(t -> t.name().startsWith(prefix)))) {
                return prefix;
            }
        }
        return "";
    }
}
