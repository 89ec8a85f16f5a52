package dev.tally.load.checkpoint;

import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Shape;
import dev.tally.ir.UnsafePickleException;
import dev.tally.load.pytorch.AllowList;
import dev.tally.load.pytorch.PickleUse;
import dev.tally.load.safetensors.SafetensorsHeader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a checkpoint (a torch.save file in any of its layouts, or a safetensors file) as a model: read without
 * running anything, refused when a pickle in it imports or calls a global outside the allow-list (the audit's own
 * rule: what {@code torch.load(weights_only=True)} accepts), then counted through its architecture match
 * ({@link CatalogModel}).
 */
public final class CheckpointLoader {
    private final Catalog catalog;

    public CheckpointLoader() {
        this(Catalog.standard());
    }

    public CheckpointLoader(Catalog catalog) {
        this.catalog = catalog;
    }

    /** @param inputShapes the user's {@code --input} shapes; when given, every input dim of the graph is left open for them */
    public Model load(Path path, Map<String, Shape> inputShapes) {
        return load(path, inputShapes, null);
    }

    /**
     * The checkpoint counted as the catalog entry {@code candidate}, one of those its keys and shapes match exactly
     * ({@link #exactMatches}); null counts it as the first.
     */
    public Model load(Path path, Map<String, Shape> inputShapes, String candidate) {
        Checkpoint checkpoint = readSafely(path);
        StateDicts.Located located = StateDicts.locate(checkpoint.root());
        return CatalogModel.build(path, formatOf(checkpoint), located, match(located), inputShapes, candidate);
    }

    /**
     * The names of the catalog entries whose keys and shapes the checkpoint has exactly, in catalog order: one, or several
     * when builders share a state_dict and differ in their graph (fasterrcnn_mobilenet_v3_large_fpn and its _320 model).
     */
    public List<String> exactMatches(Path path) {
        ArchitectureMatch match = match(StateDicts.locate(readSafely(path).root()));
        return match.kind() != ArchitectureMatch.Kind.EXACT ? List.of()
                : match.candidates().stream().map(c -> c.entry().name()).toList();
    }

    /** Whether the checkpoint is placed on a quantized catalog entry (counted as the float model it quantizes). */
    public boolean quantized(Path path) {
        ArchitectureMatch match = match(StateDicts.locate(readSafely(path).root()));
        return match.kind() != ArchitectureMatch.Kind.NONE && !match.candidates().isEmpty() && match.candidates().get(0).entry().quantized();
    }

    private ArchitectureMatch match(StateDicts.Located located) {
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        located.tensors().forEach((name, tensor) -> shapes.put(name, tensor.sizes()));
        return shapes.isEmpty()
                ? new ArchitectureMatch(ArchitectureMatch.Kind.NONE, List.of(), "")
                : new ArchitectureMatcher(catalog).match(shapes);
    }

    /** How a report labels the file: a torch.save checkpoint or a safetensors file. */
    public static ModelFormat formatOf(Checkpoint checkpoint) {
        return checkpoint.format().equals(SafetensorsCheckpoint.FORMAT) ? ModelFormat.SAFETENSORS : ModelFormat.CHECKPOINT;
    }

    /**
     * The checkpoint, read as the audit reads it; a global outside the allow-list, met before any damage or in an
     * intact file, refuses the file (nothing was run) and points to {@code tally audit} for every finding.
     */
    static Checkpoint readSafely(Path path) {
        if (SafetensorsHeader.looksLike(path)) {
            // JSON and bytes only: there is nothing in it to import or call.
            return SafetensorsCheckpoint.read(path);
        }
        String file = path.getFileName().toString();
        CheckpointReader reader = new CheckpointReader();
        Checkpoint checkpoint;
        try {
            checkpoint = reader.read(path);
        } catch (ModelException damage) {
            refuseUnsafe(file, reader.uses(), reader.torchScript());
            throw damage;
        }
        refuseUnsafe(file, checkpoint.uses(), checkpoint.torchScript());
        return checkpoint;
    }

    private static void refuseUnsafe(String file, List<PickleUse> uses, boolean torchScript) {
        for (PickleUse use : uses) {
            if (!AllowList.allows(use.global(), torchScript)) {
                throw new UnsafePickleException(file + " is unsafe to torch.load: a pickle in it imports or calls '" + use.global()
                        + "' (" + use.opcode() + " at " + use.where() + "), which is outside the allow-list, so Tally counts nothing in it"
                        + " (nothing was run); run 'tally audit " + file + "' for every finding.", use.global().qualifiedName());
            }
        }
    }
}
