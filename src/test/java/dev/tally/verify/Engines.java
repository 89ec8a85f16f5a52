package dev.tally.verify;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.NodeResult;
import dev.tally.ir.Param;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Shared set-up of the tests that start real engines: one cache folder, analyses of fixture files. */
final class Engines {
    /** Engine start-up lines, so a test can show what the first run cost. */
    static final List<String> PROGRESS = new ArrayList<>();

    private Engines() {
    }

    /** A verifier with the user's cache folder ($TALLY_CACHE or ~/.cache/tally), so libtorch unpacks once per machine. */
    static Verifier verifier() {
        return new Verifier(new EngineCache(EngineCache.resolve(null), line -> {
            PROGRESS.add(line);
            System.err.println(line);
        }));
    }

    /**
     * Analyzes one form of a fixture model at the input shape PyTorch ran it with (TorchScript files declare
     * no input shape, so it is always given).
     */
    static Analysis analyze(String model, String form) {
        return analyze(model, form, new Analyzer());
    }

    static Analysis analyze(String model, String form, Analyzer analyzer) {
        Fixtures.Expected expected = Fixtures.expected(model);
        return analyze(expected.file(form), expected, analyzer);
    }

    static Analysis analyze(Path path, Fixtures.Expected expected, Analyzer analyzer) {
        long[] shape = expected.inputShape().stream().mapToLong(Long::longValue).toArray();
        Map<String, Shape> shapes = Map.of(InputShapes.UNNAMED, Shape.of(shape));
        return analyzer.analyze(ModelLoader.load(path, shapes), shapes, false);
    }

    /** The first stored tensor the analysis counts (the first conv's weight or bias), removed from the tally. */
    record Removed(Analysis analysis, Param param) {
    }

    static Removed withoutFirstParam(Analysis analysis) {
        List<NodeResult> nodes = new ArrayList<>(analysis.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            NodeResult node = nodes.get(i);
            if (!node.params().isEmpty()) {
                List<Param> params = new ArrayList<>(node.params());
                Param removed = params.remove(params.size() - 1);
                nodes.set(i, new NodeResult(node.node(), node.status(), node.outputs(), node.cost(), params,
                        node.activationBytes()));
                return new Removed(new Analysis(analysis.model(), analysis.inputs(), analysis.outputs(), nodes,
                        analysis.unusedParams(), analysis.notes()), removed);
            }
        }
        throw new IllegalStateException("The analysis counts no params, so none can be removed.");
    }
}
