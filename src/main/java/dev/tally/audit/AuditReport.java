package dev.tally.audit;

import dev.tally.load.checkpoint.ArchitectureMatch;
import dev.tally.analysis.Analysis;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code tally audit} found in one checkpoint.
 *
 * @param findings    every global the pickles reference, most severe first
 * @param summary     the core passes' result on the matched architecture, when there is a countable match
 * @param summaryNote why there is no summary, when there is none
 * @param valuesRead  whether {@code --values} read the weights
 */
public record AuditReport(Path path, String format, String version, long fileBytes, List<Finding> findings,
                          Inventory inventory, ArchitectureMatch match, Optional<Analysis> summary, String summaryNote,
                          boolean valuesRead, List<String> notes) {
    public AuditReport {
        findings = List.copyOf(findings);
        notes = List.copyOf(notes);
        summaryNote = summaryNote == null ? "" : summaryNote;
    }

    /** The worst severity among the findings; SAFE when the file references only allowed globals. */
    public Severity worst() {
        return findings.stream().map(Finding::severity).max(Enum::compareTo).orElse(Severity.SAFE);
    }

    /** 4 when a dangerous global is referenced; else 5 when {@code --values} found NaN or Inf; else 0. */
    public int exitCode() {
        return worst() == Severity.DANGEROUS ? 4 : nonFinite().isEmpty() ? 0 : 5;
    }

    /** The tensors in which {@code --values} found NaN or an infinity, in file order; empty without --values. */
    public List<Inventory.TensorEntry> nonFinite() {
        return inventory.tensors().stream()
                .filter(t -> t.stats() != null && t.stats().nan() + t.stats().positiveInfinity() + t.stats().negativeInfinity() > 0)
                .toList();
    }

    public String fileName() {
        return path.getFileName().toString();
    }
}
