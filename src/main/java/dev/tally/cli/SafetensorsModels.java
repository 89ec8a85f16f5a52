package dev.tally.cli;

import dev.tally.analysis.Analysis;
import dev.tally.audit.AuditReport;
import dev.tally.audit.Auditor;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.load.safetensors.SafetensorsHeader;
import java.nio.file.Path;
import java.util.Map;

/**
 * The loader {@code summary} and {@code compare} use: a safetensors file (weights without a graph) becomes the
 * catalog architecture its keys and shapes match, with the file's own shapes, through the audit's
 * checkpoint-to-catalog path; every other file goes to {@link ModelLoader}. One function, so that it can be
 * pointed at ModelLoader's own checkpoint entry point once {@code .pth} files load there too.
 */
final class SafetensorsModels {
    private SafetensorsModels() {
    }

    static Model load(Path path, Map<String, Shape> inputShapes) {
        if (!java.nio.file.Files.isRegularFile(path) || !SafetensorsHeader.looksLike(path)) {
            return ModelLoader.load(path, inputShapes);
        }
        return matchedCatalogModel(path);
    }

    /** The catalog graph a safetensors file matches, sized by the file's own tensors; exit 2 without a match. */
    static Model matchedCatalogModel(Path path) {
        AuditReport audit = new Auditor().audit(path, false, true);
        Analysis analysis = audit.summary().orElseThrow(() -> new ModelException(path.getFileName()
                + " is a safetensors file Tally cannot count: " + audit.summaryNote() + "; run 'tally audit "
                + path.getFileName() + "' for its inventory."));
        return analysis.model();
    }
}
