package dev.tally.audit;

import dev.tally.analysis.Analyzer;
import dev.tally.ir.Model;
import dev.tally.load.checkpoint.ArchitectureMatch;
import dev.tally.load.checkpoint.ArchitectureMatcher;
import dev.tally.load.checkpoint.Catalog;
import dev.tally.load.checkpoint.CatalogModel;
import dev.tally.load.checkpoint.Checkpoint;
import dev.tally.load.checkpoint.CheckpointLoader;
import dev.tally.load.checkpoint.CheckpointReader;
import dev.tally.load.checkpoint.SafetensorsCheckpoint;
import dev.tally.load.checkpoint.StateDicts;
import dev.tally.load.pytorch.PyGlobal;
import dev.tally.load.safetensors.SafetensorsHeader;
import dev.tally.analysis.Analysis;
import dev.tally.ir.ModelException;
import dev.tally.ir.TallyException;
import dev.tally.load.pytorch.PickleUse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Audits one torch.save file: safety findings, inventory, architecture match and, for a match, the summary. */
public final class Auditor {
    private final Catalog catalog;

    public Auditor() {
        this(Catalog.standard());
    }

    public Auditor(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * @param readValues whether to read the weights for NaN/Inf counts and ranges (the only time bytes are read)
     * @param summarize  whether to run the core passes on a matched architecture
     */
    public AuditReport audit(Path path, boolean readValues, boolean summarize) {
        CheckpointReader reader = new CheckpointReader();
        Checkpoint checkpoint;
        try {
            // A safetensors file holds no pickle: its header is JSON, so there is nothing to import or call.
            checkpoint = SafetensorsHeader.looksLike(path) ? SafetensorsCheckpoint.read(path) : reader.read(path);
        } catch (ModelException damage) {
            // Findings met before the damage stand: torch.load would have run them before reaching it.
            List<Finding> findings = findings(reader.uses(), reader.torchScript());
            if (findings.stream().noneMatch(f -> f.severity() == Severity.DANGEROUS)) {
                throw damage;
            }
            Inventory empty = new Inventory("", List.of(), List.of(), List.of(), List.of(), 0, 0, 0, 0, List.of());
            List<String> notes = List.of("The scan ended at damage: " + damage.getMessage(),
                    "Do not torch.load this file: before the damage it imports or calls globals outside the allow-list, which torch.load runs. Nothing was run here.");
            return new AuditReport(path, "damaged", "", size(path), findings, empty,
                    new ArchitectureMatch(ArchitectureMatch.Kind.NONE, List.of(), ""), Optional.empty(), "the file is damaged", false, notes);
        }
        List<Finding> findings = findings(checkpoint.uses(), checkpoint.torchScript());

        StateDicts.Located located = StateDicts.locate(checkpoint.root());
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        located.tensors().forEach((name, tensor) -> shapes.put(name, tensor.sizes()));
        ArchitectureMatch match = shapes.isEmpty()
                ? new ArchitectureMatch(ArchitectureMatch.Kind.NONE, List.of(), "")
                : new ArchitectureMatcher(catalog).match(shapes);

        Predicate<String> isBuffer = bufferRule(match);
        Map<String, ValueStats> stats = readValues ? ValueReader.read(checkpoint, located.tensors()) : Map.of();
        Inventory inventory = Inventory.build(located, checkpoint.storages(), isBuffer, stats);

        Optional<Analysis> summary = Optional.empty();
        String summaryNote = "";
        if (!summarize) {
            summaryNote = "not asked for";
        } else {
            // The same model 'tally summary' counts for this file: the matched catalog graph with the file's shapes.
            try {
                Model model = CatalogModel.build(path, CheckpointLoader.formatOf(checkpoint), located, match, java.util.Map.of(), null);
                summary = Optional.of(new Analyzer().analyze(model, Map.of(), false));
            } catch (CatalogModel.NotCountable e) {
                summaryNote = e.reason();
            } catch (TallyException e) {
                summaryNote = "the catalog graph could not be counted: " + e.getMessage();
            }
        }

        List<String> notes = new ArrayList<>(checkpoint.notes());
        if (!match.keyPrefix().isEmpty()) {
            notes.add("Every key starts with '" + match.keyPrefix() + "' (a wrapper such as DataParallel); it was ignored for matching.");
        }
        if (!match.candidates().isEmpty() && match.candidates().get(0).withoutBatchCounters() && match.candidates().get(0).sameKeys()) {
            notes.add("The file has no BatchNorm num_batches_tracked buffers (saved before PyTorch 0.4.1); the match ignores them.");
        }
        if (findings.stream().anyMatch(f -> f.severity() == Severity.DANGEROUS)) {
            notes.add("Do not torch.load this file: it imports or calls globals outside the allow-list, which run when Python unpickles it. Nothing was run here.");
            if (findings.stream().anyMatch(f -> f.label().equals("pickled module of a known library"))) {
                notes.add("It is a whole pickled model: load the model's class from its library, then load only the weights (see README, 'Loading a pickled model safely').");
            }
        }
        return new AuditReport(path, checkpoint.format(), checkpoint.version(), size(path), findings, inventory, match,
                summary, summaryNote, readValues, notes);
    }

    /** One finding per distinct global or construct, rated by the allow-list, most severe first. */
    static List<Finding> findings(List<PickleUse> uses, boolean torchScript) {
        Map<PyGlobal, Finding> byGlobal = new LinkedHashMap<>();
        for (PickleUse use : uses) {
            GlobalPolicy.Verdict verdict = GlobalPolicy.classify(use.global(), torchScript);
            byGlobal.putIfAbsent(use.global(), new Finding(use.global(), verdict.severity(), verdict.reason(), verdict.label(),
                    verdict.resolved(), use.opcode(), use.where()));
        }
        List<Finding> findings = new ArrayList<>(byGlobal.values());
        findings.sort(Comparator.comparing(Finding::severity).reversed());
        return findings;
    }

    /** The matched entry's roles when there is a match; otherwise BatchNorm-style names are buffers. */
    private static Predicate<String> bufferRule(ArchitectureMatch match) {
        if (match.kind() == ArchitectureMatch.Kind.NONE || match.candidates().isEmpty()) {
            return Inventory::conventionalBuffer;
        }
        String prefix = match.keyPrefix();
        Set<String> buffers = match.candidates().get(0).entry().tensors().stream()
                .filter(Catalog.Tensor::buffer).map(Catalog.Tensor::name).collect(Collectors.toSet());
        Set<String> known = match.candidates().get(0).entry().tensors().stream().map(Catalog.Tensor::name).collect(Collectors.toSet());
        return name -> {
            String key = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
            return known.contains(key) ? buffers.contains(key) : Inventory.conventionalBuffer(key);
        };
    }

    private static long size(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }
}
