package dev.tally.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tally.analysis.rules.Rules;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large graph is costed in two halves at once (CostPass.twoThreads, lowered here so that real exports split): the
 * results must be the very ones one thread gives, node for node, and a failure the one one thread meets first.
 */
class CostPassTwoThreadsTest {
    @AfterEach
    void restore() {
        CostPass.twoThreads = dev.tally.util.SecondThread.GRAPH_NODES;
    }

    private static Analysis analyze(Analyzer analyzer, Model model, Map<String, Shape> shapes, int twoThreads) {
        CostPass.twoThreads = twoThreads;
        return analyzer.analyze(model, shapes, false);
    }

    /** Exports with shared weights claimed once, constants, unsupported and unresolved nodes, views and fused ops. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18.onnx", "swin_t.onnx", "vit_b_16.onnx", "densenet121.onnx",
        "mobilenet_v3_large.onnx", "resnet50.traced.pt", "densenet121.scripted.pt", "big10k.onnx"})
    void twoHalvesGiveWhatOneThreadGives(String file) {
        Map<String, Shape> shapes = file.endsWith(".pt") ? InputShapes.parseOverrides(List.of("2x3x224x224")) : Map.of();
        Model model = ModelLoader.load(Fixtures.file(file), shapes);
        Analyzer analyzer = new Analyzer();

        Analysis one = analyze(analyzer, model, shapes, Integer.MAX_VALUE);
        Analysis two = analyze(analyzer, model, shapes, 2);

        assertThat(one.nodes()).hasSizeGreaterThan(2);
        assertThat(two.nodes()).isEqualTo(one.nodes());
        assertThat(two.unusedParams()).isEqualTo(one.unusedParams());
    }

    @Test
    void aWeightReadInBothHalvesIsGivenOnlyToItsFirstReader() {
        // x -> MatMul(w) -> Relu -> MatMul(w) -> Relu ... eight times, one 4 x 4 weight for all: counted once, at node 0.
        List<dev.tally.ir.Node> nodes = new java.util.ArrayList<>();
        String last = "x";
        for (int i = 0; i < 8; i++) {
            nodes.add(new dev.tally.ir.Node("mm" + i, "MatMul", List.of(last, "w"), List.of("m" + i), Map.of(), "mm" + i));
            nodes.add(new dev.tally.ir.Node("relu" + i, "Relu", List.of("m" + i), List.of("r" + i), Map.of(), "relu" + i));
            last = "r" + i;
        }
        dev.tally.ir.DType f32 = dev.tally.ir.DType.FLOAT32;
        dev.tally.ir.Value x = new dev.tally.ir.Value("x", new dev.tally.ir.TensorType(f32,
                List.of(dev.tally.ir.Dim.of(1), dev.tally.ir.Dim.of(4))));
        dev.tally.ir.Value y = new dev.tally.ir.Value(last, new dev.tally.ir.TensorType(f32,
                List.of(dev.tally.ir.Dim.of(1), dev.tally.ir.Dim.of(4))));
        dev.tally.ir.Param w = new dev.tally.ir.Param("w", Shape.of(4, 4), f32, dev.tally.ir.Role.PARAM);
        dev.tally.ir.Graph graph = new dev.tally.ir.Graph("tied", List.of(x), List.of(y), nodes, Map.of("w", w), Map.of());
        Model model = new Model(java.nio.file.Path.of("tied.onnx"), dev.tally.ir.ModelFormat.ONNX, "", graph, List.of());

        Analysis two = analyze(new Analyzer(), model, Map.of(), 2);

        assertThat(two.nodes()).hasSize(16);
        assertThat(two.nodes().get(0).params()).containsExactly(w);
        assertThat(two.nodes().subList(1, 16)).allSatisfy(result -> assertThat(result.params()).isEmpty());
        assertThat(two.nodes().get(8).cost().macs()).isEqualTo(16); // 1x4 @ 4x4
        assertThat(two.nodes()).isEqualTo(analyze(new Analyzer(), model, Map.of(), Integer.MAX_VALUE).nodes());
    }

    @Test
    void bothHalvesRunAtOnceAndTheFirstFailureInNodeOrderIsTheOneReported() {
        Model model = ModelLoader.load(Fixtures.file("resnet18.onnx"), Map.of());
        List<String> relus = model.graph().nodes().stream().filter(n -> n.opType().equals("Relu"))
                .map(dev.tally.ir.Node::name).toList();
        String early = relus.get(1);
        String late = relus.get(relus.size() - 2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Set<String> failing = ConcurrentHashMap.newKeySet();
        OpRule relu = Rules.standard().find("Relu").rule();
        OpRule watched = new OpRule() {
            @Override
            public List<String> inputs() {
                return relu.inputs();
            }

            @Override
            public List<TensorInfo> inferShapes(OpContext ctx) {
                return relu.inferShapes(ctx);
            }

            @Override
            public Cost cost(OpContext ctx) {
                threads.add(Thread.currentThread().getName());
                if (failing.contains(ctx.node().name())) {
                    throw ctx.fail("it was told to fail");
                }
                return relu.cost(ctx);
            }
        };
        Analyzer analyzer = new Analyzer(Rules.standard().with("Relu", watched));

        analyze(analyzer, model, Map.of(), 2);
        assertThat(threads).contains("tally-costs", Thread.currentThread().getName());

        failing.addAll(List.of(early, late));
        String oneThread = messageOf(() -> analyze(analyzer, model, Map.of(), Integer.MAX_VALUE));
        assertThat(oneThread).contains("'" + early + "'");
        assertThat(messageOf(() -> analyze(analyzer, model, Map.of(), 2))).isEqualTo(oneThread);

        failing.remove(early);
        String lateOnly = messageOf(() -> analyze(analyzer, model, Map.of(), Integer.MAX_VALUE));
        assertThat(lateOnly).contains("'" + late + "'");
        assertThat(messageOf(() -> analyze(analyzer, model, Map.of(), 2))).isEqualTo(lateOnly);
    }

    private static String messageOf(Runnable run) {
        Throwable thrown = catchThrowable(run::run);
        assertThat(thrown).isInstanceOf(ModelException.class);
        return thrown.getMessage();
    }
}
