package dev.tally.analysis.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.NodeResult;
import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worksheet's AlexNet-like network (/work/shared/reference/worksheet-alexnet.md) built node by node as an ONNX
 * export has it, run through the real shape and cost passes: every row of the answer table must come out exactly.
 */
class WorksheetAlexNetTest {
    /** The worksheet's answer table: output shape (without batch), params, ops. Copied from the worksheet. */
    private static final Object[][] ANSWER = {
            {"Conv", "64x56x56", 23296L, 73056256L},
            {"Relu", "64x56x56", 0L, 401408L},
            {"MaxPool", "64x28x28", 0L, 150528L},
            {"Conv", "192x28x28", 307392L, 240995328L},
            {"Relu", "192x28x28", 0L, 301056L},
            {"MaxPool", "192x14x14", 0L, 112896L},
            {"Conv", "384x14x14", 663936L, 130131456L},
            {"Relu", "384x14x14", 0L, 150528L},
            {"Conv", "256x14x14", 884992L, 173458432L},
            {"Relu", "256x14x14", 0L, 100352L},
            {"Conv", "256x14x14", 590080L, 115655680L},
            {"Relu", "256x14x14", 0L, 100352L},
            {"MaxPool", "256x6x6", 0L, 138240L},
            {"Flatten", "9216", 0L, 0L},
            {"Dropout", "9216", 0L, 0L},
            {"Gemm", "4096", 37752832L, 37752832L},
            {"Relu", "4096", 0L, 8192L},
            {"Dropout", "4096", 0L, 0L},
            {"Gemm", "4096", 16781312L, 16781312L},
            {"Relu", "4096", 0L, 8192L},
            {"Gemm", "1000", 4097000L, 4097000L},
    };

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Param> params = new LinkedHashMap<>();
    private String last = "input";

    @Test
    void everyRowOfTheWorksheetComesOutExactlyUnderOps() {
        Analysis analysis = new Analyzer().analyze(worksheetModel(), Map.of(), true);
        List<NodeResult> results = analysis.nodes();
        assertThat(results).hasSize(ANSWER.length);
        long totalParams = 0;
        long totalOps = 0;
        for (int i = 0; i < ANSWER.length; i++) {
            NodeResult row = results.get(i);
            Shape out = row.outputs().get(0).shape();
            String shape = Shape.of(java.util.Arrays.copyOfRange(out.toArray(), 1, out.rank())).toDisplayString();
            long rowParams = row.params().stream().mapToLong(Param::numel).sum();
            assertThat(row.node().opType()).as("row %d op", i + 1).isEqualTo(ANSWER[i][0]);
            assertThat(shape).as("row %d output", i + 1).isEqualTo(ANSWER[i][1]);
            assertThat(rowParams).as("row %d params", i + 1).isEqualTo(ANSWER[i][2]);
            assertThat(Convention.OPS.of(row.cost())).as("row %d ops", i + 1).isEqualTo(ANSWER[i][3]);
            totalParams += rowParams;
            totalOps += row.cost().ops();
        }
        assertThat(totalParams).isEqualTo(61100840L);
        assertThat(totalOps).isEqualTo(793400040L);
    }

    @Test
    void theMacsAreTheConvAndLinearMultiplyAccumulatesWithoutBias() {
        Analysis analysis = new Analyzer().analyze(worksheetModel(), Map.of(), true);
        long macs = analysis.nodes().stream().mapToLong(n -> n.cost().macs()).sum();
        // conv1 64*56*56*(3*11*11) = 72855552 (the JSON example); per conv and linear by hand:
        long expected = 72855552L + 192L * 28 * 28 * 64 * 25 + 384L * 14 * 14 * 192 * 9 + 256L * 14 * 14 * 384 * 9
                + 256L * 14 * 14 * 256 * 9 + 9216L * 4096 + 4096L * 4096 + 4096L * 1000;
        assertThat(analysis.nodes().get(0).cost().macs()).isEqualTo(72855552L);
        assertThat(macs).isEqualTo(expected);
    }

    private Model worksheetModel() {
        nodes.clear();
        params.clear();
        last = "input";
        conv("features.0", 3, 64, 11, 4, 2);
        relu("features.1");
        maxPool("features.2", 2, 2);
        conv("features.3", 64, 192, 5, 1, 2);
        relu("features.4");
        maxPool("features.5", 2, 2);
        conv("features.6", 192, 384, 3, 1, 1);
        relu("features.7");
        conv("features.8", 384, 256, 3, 1, 1);
        relu("features.9");
        conv("features.10", 256, 256, 3, 1, 1);
        relu("features.11");
        maxPool("features.12", 4, 2);
        add("flatten", "Flatten", List.of(last), Map.of("axis", new Attribute.Int(1)));
        add("classifier.0", "Dropout", List.of(last), Map.of());
        linear("classifier.1", 9216, 4096);
        relu("classifier.2");
        add("classifier.3", "Dropout", List.of(last), Map.of());
        linear("classifier.4", 4096, 4096);
        relu("classifier.5");
        linear("classifier.6", 4096, 1000);
        TensorType input = new TensorType(DType.FLOAT32, List.of(Dim.of(1), Dim.of(3), Dim.of(227), Dim.of(227)));
        Graph graph = new Graph("worksheet", List.of(new Value("input", input)), List.of(new Value(last, java.util.Optional.empty())),
                nodes, params, Map.of());
        return new Model(Path.of("worksheet.onnx"), ModelFormat.ONNX, "test", graph, List.of());
    }

    private void conv(String layer, long in, long out, long k, long stride, long pad) {
        param(layer + ".weight", out, in, k, k);
        param(layer + ".bias", out);
        add(layer, "Conv", List.of(last, layer + ".weight", layer + ".bias"), Map.of(
                "kernel_shape", Attribute.ints(k, k), "strides", Attribute.ints(stride, stride),
                "pads", Attribute.ints(pad, pad, pad, pad), "dilations", Attribute.ints(1, 1), "group", new Attribute.Int(1)));
    }

    private void linear(String layer, long in, long out) {
        param(layer + ".weight", out, in);
        param(layer + ".bias", out);
        add(layer, "Gemm", List.of(last, layer + ".weight", layer + ".bias"), Map.of(
                "alpha", new Attribute.Float(1), "beta", new Attribute.Float(1), "transB", new Attribute.Int(1)));
    }

    private void relu(String layer) {
        add(layer, "Relu", List.of(last), Map.of());
    }

    private void maxPool(String layer, long k, long stride) {
        add(layer, "MaxPool", List.of(last), Map.of("kernel_shape", Attribute.ints(k, k), "strides",
                Attribute.ints(stride, stride), "pads", Attribute.ints(0, 0, 0, 0), "ceil_mode", new Attribute.Int(0)));
    }

    private void param(String name, long... dims) {
        params.put(name, new Param(name, Shape.of(dims), DType.FLOAT32, Role.PARAM));
    }

    private void add(String layer, String op, List<String> inputs, Map<String, Attribute> attributes) {
        String output = "/" + layer + "/" + op + "_output_0";
        nodes.add(new Node("/" + layer + "/" + op, op, inputs, List.of(output), attributes, layer));
        last = output;
    }
}
