package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.NodeResult;
import dev.tally.ir.Model;
import dev.tally.ir.Param;
import dev.tally.ir.Shape;
import dev.tally.testing.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worksheet's AlexNet-like network (shared/reference/worksheet-alexnet.md) read from its TorchScript files
 * reproduces the worksheet's answer table row by row under the {@code ops} convention. The numbers below are
 * copied from the worksheet, not computed by Tally.
 */
class WorksheetTorchScriptTest {
    /** Rows of the worksheet: module index, output shape (without batch), params, ops. */
    private record Row(String module, List<Long> output, long params, long ops) {}

    private static final List<Row> TABLE = List.of(
            new Row("0", List.of(64L, 56L, 56L), 23296, 73056256),
            new Row("1", List.of(64L, 56L, 56L), 0, 401408),
            new Row("2", List.of(64L, 28L, 28L), 0, 150528),
            new Row("3", List.of(192L, 28L, 28L), 307392, 240995328),
            new Row("4", List.of(192L, 28L, 28L), 0, 301056),
            new Row("5", List.of(192L, 14L, 14L), 0, 112896),
            new Row("6", List.of(384L, 14L, 14L), 663936, 130131456),
            new Row("7", List.of(384L, 14L, 14L), 0, 150528),
            new Row("8", List.of(256L, 14L, 14L), 884992, 173458432),
            new Row("9", List.of(256L, 14L, 14L), 0, 100352),
            new Row("10", List.of(256L, 14L, 14L), 590080, 115655680),
            new Row("11", List.of(256L, 14L, 14L), 0, 100352),
            new Row("12", List.of(256L, 6L, 6L), 0, 138240),
            new Row("13", List.of(256L, 6L, 6L), 0, 0),
            new Row("14", List.of(9216L), 0, 0),
            new Row("15", List.of(4096L), 37752832, 37752832),
            new Row("16", List.of(4096L), 0, 8192),
            new Row("17", List.of(4096L), 0, 0),
            new Row("18", List.of(4096L), 16781312, 16781312),
            new Row("19", List.of(4096L), 0, 8192),
            new Row("20", List.of(1000L), 4097000, 4097000));

    @ParameterizedTest
    @ValueSource(strings = {"worksheet.traced.pt", "worksheet.scripted.pt"})
    void worksheetTorchScriptReproducesTheWorksheetTableUnderOps(String fileName) {
        Model model = new TorchScriptLoader().load(Fixtures.file(fileName), Map.of(InputShapes.UNNAMED, Shape.of(1, 3, 227, 227)));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);

        long totalOps = 0;
        long totalParams = 0;
        for (Row row : TABLE) {
            List<NodeResult> nodes = analysis.nodes().stream().filter(n -> n.node().layer().equals(row.module())).toList();
            assertThat(nodes).as("nodes of layer " + row.module()).isNotEmpty();
            long ops = nodes.stream().mapToLong(n -> Convention.OPS.of(n.cost())).sum();
            long params = nodes.stream().flatMap(n -> n.params().stream()).mapToLong(Param::numel).sum();
            List<Long> output = nodes.get(nodes.size() - 1).outputs().get(0).shape().dims();
            assertThat(output.subList(1, output.size())).as("output of layer " + row.module()).isEqualTo(row.output());
            assertThat(params).as("params of layer " + row.module()).isEqualTo(row.params());
            assertThat(ops).as("ops of layer " + row.module()).isEqualTo(row.ops());
            totalOps += ops;
            totalParams += params;
        }
        assertThat(totalParams).isEqualTo(61100840L);
        assertThat(totalOps).isEqualTo(793400040L);
        assertThat(analysis.nodes().stream().mapToLong(n -> Convention.OPS.of(n.cost())).sum()).isEqualTo(793400040L);
    }
}
