package dev.tally.load.checkpoint;

import dev.tally.ir.Folding;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Identifies the BatchNorms torch.onnx folded into Convs through the architecture catalog, so that PyTorch's
 * parameter count as trained is known exactly. The ONNX file keeps each folded Conv's module path in its node name
 * ({@code /layer1/layer1.0/conv1/Conv} is {@code layer1.0.conv1}) but not whether that Conv had a bias of its own:
 * a catalog architecture that has every folded Conv under the same path with the same weight shape, and every
 * parameter the file still names, says so. The fold removed the BatchNorm's weight and bias (2C) and left a Conv
 * bias of C: C params fewer for a bias-free Conv (torchvision's ResNets), 2C for one with a bias (VGG-BN).
 */
public final class FoldedBatchNorms {
    private FoldedBatchNorms() {
    }

    /**
     * {@link #identify(Model, Catalog)} against the shipped catalog's entries that name the first folded Conv's weight:
     * an architecture without it cannot match, so the others are never parsed.
     */
    public static Model identify(Model model) {
        Folding folding = model.folding();
        if (folding.batchNorms() == 0 || folding.convs().isEmpty()) {
            return model;
        }
        String first = folding.convs().get(0);
        Optional<Node> conv = model.graph().nodes().stream().filter(n -> n.name().equals(first)).findFirst();
        if (conv.isEmpty() || conv.get().layer().equals(conv.get().name())) {
            return model;
        }
        return identify(model, Catalog.standardNaming(conv.get().layer() + ".weight"));
    }

    /** The model with {@link Folding#removedParams} filled in and a note saying how, or as it is when not identified. */
    public static Model identify(Model model, Catalog catalog) {
        Folding folding = model.folding();
        if (folding.batchNorms() == 0 || folding.convs().size() != folding.batchNorms()) {
            return model;
        }
        Graph graph = model.graph();
        Map<String, Param> foldedWeights = new LinkedHashMap<>();
        Map<String, Node> nodes = new LinkedHashMap<>();
        graph.nodes().forEach(n -> nodes.put(n.name(), n));
        for (String conv : folding.convs()) {
            Node node = nodes.get(conv);
            Param weight = node == null || node.inputs().size() < 2 ? null : graph.params().get(node.inputs().get(1));
            if (weight == null || node.layer().equals(node.name())) {
                return model;
            }
            foldedWeights.put(node.layer(), weight);
        }
        List<Param> named = graph.params().values().stream()
                .filter(p -> p.role() != Role.CONSTANT && !p.sourceName().startsWith("onnx::")).toList();
        Long removed = null;
        List<String> architectures = new ArrayList<>();
        for (Catalog.Entry entry : catalog.entries()) {
            Optional<Long> byEntry = removedBy(entry, foldedWeights, named);
            if (byEntry.isEmpty()) {
                continue;
            }
            if (removed != null && !removed.equals(byEntry.get())) {
                // Two architectures that fit the file disagree on which Convs had a bias: not identified.
                return model;
            }
            removed = byEntry.get();
            architectures.add(entry.name());
        }
        if (removed == null) {
            return model;
        }
        List<String> notes = new ArrayList<>(model.notes());
        String count = String.format(Locale.ROOT, "%,d", removed);
        notes.add("The " + folding.batchNorms() + " folded BatchNorms are identified by their Convs' module paths in the catalog's "
                + String.join(", ", architectures) + ": the fold removed " + count + " params, so PyTorch's count as trained"
                + " (paramsAsTrained) is the file's params plus " + count + ".");
        return new Model(model.path(), model.format(), model.producer(), graph, notes, folding.withRemovedParams(removed),
                model.moduleClasses());
    }

    /**
     * The params the fold removed if {@code entry} is the file's architecture: every folded Conv under its path with
     * the same weight shape, followed by a BatchNorm of as many channels, and every named param of the file present
     * with the same shape; empty otherwise.
     */
    private static Optional<Long> removedBy(Catalog.Entry entry, Map<String, Param> foldedWeights, List<Param> named) {
        Map<String, Catalog.Tensor> tensors = new LinkedHashMap<>();
        entry.tensors().forEach(t -> tensors.put(t.name(), t));
        for (Param param : named) {
            Catalog.Tensor known = tensors.get(param.sourceName());
            if (known == null || !known.shape().equals(param.shape().dims())) {
                return Optional.empty();
            }
        }
        long removed = 0;
        int batchNorms = 0;
        for (Catalog.Tensor tensor : entry.tensors()) {
            if (tensor.name().endsWith(".running_mean")) {
                batchNorms++;
            }
        }
        if (batchNorms < foldedWeights.size()) {
            return Optional.empty();
        }
        for (Map.Entry<String, Param> folded : foldedWeights.entrySet()) {
            Catalog.Tensor weight = tensors.get(folded.getKey() + ".weight");
            if (weight == null || !weight.shape().equals(folded.getValue().shape().dims())) {
                return Optional.empty();
            }
            long channels = weight.shape().get(0);
            removed += tensors.containsKey(folded.getKey() + ".bias") ? 2 * channels : channels;
        }
        return Optional.of(removed);
    }
}
