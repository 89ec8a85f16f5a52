package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.NodeResult;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every fixture model (the core set and the smaller coverage models), traced and scripted, read by the TorchScript loader and checked against PyTorch's own
 * figures in {@code <name>.expected.json}: parameter and buffer counts, each module's output shape from forward
 * hooks, and multiply-accumulates per module and in total.
 */
class TorchScriptFixtureTest {

    @TestFactory
    Stream<DynamicTest> everyFixtureModelMatchesPyTorchTracedAndScripted() {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> coverage = indexList("coverage");
        for (String name : Fixtures.models()) {
            Fixtures.Expected expected = Fixtures.expected(name);
            for (String form : List.of("traced", "scripted")) {
                if (!expected.json().path("files").has(form)) {
                    continue;
                }
                Path file = expected.file(form);
                if (file == null) {
                    // Either PyTorch itself could not make this form (the export script says why), or the model is
                    // one of the large coverage models that are exported as structure-only ONNX alone, by design.
                    if (!coverage.contains(name)) {
                        assertThat(expected.json().path("scriptError").asText()).as(name + " " + form + " has no file, so a reason").isNotBlank();
                    }
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(name + " " + form, () -> checkModel(expected, file)));
            }
        }
        assertThat(tests).as("fixture TorchScript files").isNotEmpty();
        return tests.stream();
    }

    private static void checkModel(Fixtures.Expected expected, Path file) {
        assertThat(ModelLoader.detect(file)).isEqualTo(ModelLoader.Kind.TORCHSCRIPT);
        Shape input = new Shape(expected.inputShape());
        Model model = new TorchScriptLoader().load(file, Map.of(InputShapes.UNNAMED, input));
        assertThat(model.format()).isEqualTo(ModelFormat.TORCHSCRIPT);

        assertThat(sum(model, Role.PARAM)).as("params").isEqualTo(expected.params());
        assertThat(sum(model, Role.BUFFER)).as("buffers").isEqualTo(expected.buffers());

        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        List<NodeResult> nodes = analysis.nodes();
        assertThat(nodes).allSatisfy(n -> assertThat(n.status()).as(n.node().describe()).isEqualTo(NodeResult.Status.COUNTED));
        long macs = nodes.stream().mapToLong(n -> Convention.MACS.of(n.cost())).sum();
        assertThat(macs).as("total MACs").isEqualTo(expected.macs());
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape().dims()).as("output shape").isEqualTo(expected.outputShape());

        int compared = 0;
        for (JsonNode module : expected.json().get("modules")) {
            String name = module.get("name").asText();
            List<NodeResult> inModule = nodes.stream().filter(n -> belongs(n.node().layer(), name)).toList();
            if (inModule.isEmpty()) {
                continue;
            }
            long moduleMacs = inModule.stream().mapToLong(n -> Convention.MACS.of(n.cost())).sum();
            assertThat(moduleMacs).as("MACs of module '" + name + "'").isEqualTo(module.get("macs").asLong());
            if (module.get("outputShape").isNull()) {
                continue;
            }
            NodeResult last = inModule.get(inModule.size() - 1);
            assertThat(last.outputs().get(0).shape().dims()).as("output shape of module '" + name + "'")
                    .isEqualTo(Fixtures.Expected.longs(module.get("outputShape")));
            compared++;
        }
        assertThat(compared).as("modules compared").isPositive();
    }

    /** A list of index.json ({@code core}, {@code coverage}). */
    private static List<String> indexList(String key) {
        try {
            JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Fixtures.dir().resolve("index.json").toFile()).path(key);
            List<String> names = new ArrayList<>();
            list.forEach(n -> names.add(n.asText()));
            return names;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A node belongs to a module when its layer is the module's path or a path inside it. */
    private static boolean belongs(String layer, String module) {
        return layer.equals(module) || layer.startsWith(module + ".");
    }

    private static long sum(Model model, Role role) {
        return model.graph().params().values().stream().filter(p -> p.role() == role).mapToLong(Param::numel).sum();
    }
}
